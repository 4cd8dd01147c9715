from flask import Blueprint

bp = Blueprint("admin", __name__, url_prefix="/admin")
audit_bp = Blueprint("audit", __name__, url_prefix="/audit")
