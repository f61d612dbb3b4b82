"""Teams: members and their roles, invitations by email, and the audit log page."""
from flask import Blueprint

bp = Blueprint("teams", __name__)

from dashboard.teams import audit_routes, routes  # noqa: E402,F401
