"""Conversations: Every conversation's transcript and analysis, with search, filters and export."""
from flask import Blueprint

from dashboard.conversations import sentiment

bp = Blueprint("conversations", __name__, url_prefix="/conversations")
bp.add_app_template_filter(sentiment.band, "sentiment_band")

from dashboard.conversations import export_routes, routes, transcript_routes, usage  # noqa: E402,F401
