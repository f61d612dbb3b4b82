"""The JSON API under /api/v1, authenticated by API keys."""
from flask import Blueprint

from dashboard.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # API clients authenticate with a bearer key, not a browser session

from dashboard.api import auth, conversations, crm, crm_records, routes, webhook_endpoints  # noqa: E402,F401
from dashboard.api.routes import docs_bp  # noqa: E402,F401
