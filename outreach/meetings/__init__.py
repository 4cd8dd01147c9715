"""Meetings, the commitments targets make, follow-ups and their reminders."""
from flask import Blueprint

bp = Blueprint("meetings", __name__)
