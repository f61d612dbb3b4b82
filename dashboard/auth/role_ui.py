"""What templates need to show a role's limits: `can(area)`, the signed-in member, and the page's write lock."""
from __future__ import annotations

from flask import g, request

from dashboard.auth import bp
from dashboard.auth.permissions import READ, WRITE, allows, refusal, rule_for


def page_lock() -> str | None:
    """Why the signed-in member may look at this page but not change anything on it (None when it may)."""
    member = g.get("member")
    if member is None or request.endpoint is None:
        return None
    rule = rule_for(request.endpoint, request.blueprint, "POST")
    if rule is None or not allows(member, rule.area, READ):
        return None
    return refusal(member, rule.area, WRITE)


def nav_allows(endpoint: str) -> bool:
    rule = rule_for(endpoint, endpoint.partition(".")[0], "GET")
    return rule is not None and allows(g.get("member"), rule.area, READ)


@bp.app_context_processor
def role_context():
    return {
        "current_member": g.get("member"),
        "can": lambda area, access=WRITE: allows(g.get("member"), area, access),
        "cannot_because": lambda area, access=WRITE: refusal(g.get("member"), area, access),
        "nav_allows": nav_allows,
        "page_lock": page_lock,
    }
