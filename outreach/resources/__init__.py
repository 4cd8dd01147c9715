"""The practice hub: resources, collections, the public pages, sharing in meetings and reach."""
from flask import Blueprint

bp = Blueprint("resources", __name__, url_prefix="/resources")
hub_bp = Blueprint("hub", __name__)
