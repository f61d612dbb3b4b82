"""Conversations: Every conversation's transcript and analysis, with search, filters and export."""
from flask import Blueprint

bp = Blueprint("conversations", __name__, url_prefix="/conversations")

from dashboard.conversations import routes  # noqa: E402,F401
