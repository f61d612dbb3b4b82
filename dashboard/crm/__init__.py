"""Leads: Leads, services and matches, also served over the JSON API."""
from flask import Blueprint

bp = Blueprint("crm", __name__, url_prefix="/leads")

from dashboard.crm import from_conversations, routes  # noqa: E402,F401
