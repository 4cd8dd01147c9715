"""Meetings, the commitments targets make, follow-ups and their reminders."""
from flask import Blueprint

bp = Blueprint("meetings", __name__)
#: Own blueprints so that navigation marks "Commitments" and "Follow-ups" as the page you are on.
commitments_bp = Blueprint("commitments", __name__)
follow_ups_bp = Blueprint("follow_ups", __name__)
