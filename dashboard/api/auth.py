"""Every /api/v1 request authenticates with `Authorization: Bearer <api key>`."""
from __future__ import annotations

from flask import g, request

from dashboard.api import bp
from dashboard.auth.api_keys import key_for_secret
from dashboard.auth.models import Customer, Member
from dashboard.auth.permissions import refusal_for_request
from dashboard.errors import problem
from dashboard.extensions import db
from dashboard.tenancy import names_foreign_row


@bp.before_request
def authenticate_api_key():
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    key = key_for_secret(secret.strip()) if scheme.lower() == "bearer" else None
    if key is None:
        return problem(401, "A valid API key is required: Authorization: Bearer <key>.",
                       headers={"WWW-Authenticate": 'Bearer realm="api"'})
    db.session.commit()  # keeps last_used_at
    g.api_customer = db.session.get(Customer, key.customer_id)
    g.api_key = key
    # The key acts with the role of the member who created it, as that member's role is now.
    g.member = db.session.get(Member, key.member_id) if key.member_id is not None else None
    reason = refusal_for_request(g.member, request.endpoint, request.blueprint, request.method)
    if reason is not None:
        return problem(404) if names_foreign_row(request.view_args or {}) else problem(403, reason)
    return None


def api_customer():
    """The customer the request's API key belongs to."""
    return g.api_customer
