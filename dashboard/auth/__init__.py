"""Sign-in, sign-out, account settings and the guard that keeps every other page behind sign-in."""
from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/auth")
settings_bp = Blueprint("settings", __name__, url_prefix="/settings")

from dashboard.auth import audit, guard, role_ui, routes, settings_routes  # noqa: E402,F401
