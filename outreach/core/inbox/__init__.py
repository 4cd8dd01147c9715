"""The in-app notification inbox and each user's notification preferences."""
from flask import Blueprint

bp = Blueprint("inbox", __name__)
