"""Sign-in, sign-out and the guard that keeps every other page behind sign-in."""
from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/auth")

from dashboard.auth import guard, routes  # noqa: E402,F401
