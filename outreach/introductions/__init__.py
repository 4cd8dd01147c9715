"""Introductions: activist profiles with a protected identity, consent, requests and door-opener matching."""
from flask import Blueprint

bp = Blueprint("introductions", __name__, url_prefix="/introductions")
