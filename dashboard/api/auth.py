"""Every /api/v1 request authenticates with `Authorization: Bearer <api key>`."""
from __future__ import annotations

from flask import g, request

from dashboard.api import bp
from dashboard.auth.api_keys import customer_for_secret
from dashboard.errors import problem
from dashboard.extensions import db


@bp.before_request
def authenticate_api_key():
    header = request.headers.get("Authorization", "")
    scheme, _, secret = header.partition(" ")
    customer = customer_for_secret(secret.strip()) if scheme.lower() == "bearer" else None
    if customer is None:
        return problem(401, "A valid API key is required: Authorization: Bearer <key>.",
                       headers={"WWW-Authenticate": 'Bearer realm="api"'})
    db.session.commit()  # keeps last_used_at
    g.api_customer = customer
    return None


def api_customer():
    """The customer the request's API key belongs to."""
    return g.api_customer
