"""Monitoring: the mandates, National Action Plans, laws and budget lines the coalition watches."""
from flask import Blueprint

bp = Blueprint("monitoring", __name__)
