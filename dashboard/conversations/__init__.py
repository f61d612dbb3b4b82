"""Conversations: Every conversation's transcript and analysis, with search, filters and export."""
from flask import Blueprint

bp = Blueprint("conversations", __name__, url_prefix="/conversations")

from dashboard.conversations import export_routes, routes, transcript_routes  # noqa: E402,F401
from dashboard.conversations.webhook_routes import webhooks  # noqa: E402

# The webhook lives at /webhooks/ultravox, outside this blueprint's prefix, so it rides along as its own.
bp.record_once(lambda state: state.app.register_blueprint(webhooks))
