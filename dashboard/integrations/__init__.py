"""Integrations: Third-party app connections over OAuth, per agent."""
from flask import Blueprint

bp = Blueprint("integrations", __name__, url_prefix="/integrations")

from dashboard.integrations import builder_section, routes  # noqa: E402,F401
