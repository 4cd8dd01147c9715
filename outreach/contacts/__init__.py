"""The advocacy-target directory: organisations, contacts, positions, relationships, search, CSV."""
from flask import Blueprint

bp = Blueprint("contacts", __name__, url_prefix="/directory")
