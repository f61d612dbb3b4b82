"""Analytics: Charts over all conversations: volume, sentiment, intents and categories."""
from flask import Blueprint

bp = Blueprint("analytics", __name__, url_prefix="/analytics")

from dashboard.analytics import listeners, routes  # noqa: E402,F401
