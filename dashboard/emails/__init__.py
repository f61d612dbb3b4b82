"""Emails: Follow-up email templates your agents send, and the log of every send."""
from flask import Blueprint

bp = Blueprint("emails", __name__, url_prefix="/emails")

from dashboard.emails import listeners, routes  # noqa: E402,F401
