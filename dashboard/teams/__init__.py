"""Teams: members and their roles, invitations by email, the audit log page, and each member's own account
(password, forgotten password, signed-in sessions)."""
from flask import Blueprint

bp = Blueprint("teams", __name__)
# Every member's own account, whatever their role (dashboard/auth/permissions.py: the "account" area).
account_bp = Blueprint("account", __name__)

from dashboard.teams import account_routes, audit_routes, routes  # noqa: E402,F401
