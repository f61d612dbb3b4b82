"""The home page and the health check."""
from flask import Blueprint

bp = Blueprint("core", __name__)

from dashboard.core import routes  # noqa: E402,F401
