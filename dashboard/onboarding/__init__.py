"""Onboarding: business profile → plan → first agent, a workflow above auth, billing and agents."""
from flask import Blueprint

bp = Blueprint("onboarding", __name__, url_prefix="/onboarding")

from dashboard.onboarding import listeners, routes  # noqa: E402,F401
