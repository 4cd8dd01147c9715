"""Campaigns: measurable, time-bound objectives, target pipelines, "My targets" and dashboards."""
from flask import Blueprint

bp = Blueprint("campaigns", __name__)
