"""Calendars: .ics downloads, subscription feeds, and .ics import into a new meeting."""
from flask import Blueprint

bp = Blueprint("calendars", __name__)
