"""Every page needs a signed-in customer, except those marked public."""
from __future__ import annotations

from collections.abc import Callable

from flask import current_app, jsonify, redirect, request, url_for
from flask_login import current_user

from dashboard.auth import bp
from dashboard.auth.models import Customer
from dashboard.extensions import db, login_manager

# Blueprints that authenticate on their own (API keys); webhooks are marked @public and check signatures.
SELF_AUTHENTICATING_BLUEPRINTS = {"api"}


def public(view: Callable) -> Callable:
    """Mark a view as reachable without signing in."""
    view.is_public = True
    return view


@login_manager.user_loader
def load_customer(customer_id: str) -> Customer | None:
    if not customer_id.isdigit():
        return None
    return db.session.get(Customer, int(customer_id))


@bp.before_app_request
def require_sign_in():
    if request.endpoint is None or request.endpoint == "static":
        return None
    if request.blueprint in SELF_AUTHENTICATING_BLUEPRINTS:
        return None
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "is_public", False) or current_user.is_authenticated:
        return None
    if request.headers.get("HX-Request"):
        # A redirect would be swapped into a fragment; ask htmx to load the sign-in page instead.
        response = jsonify(error="sign in required")
        response.status_code = 401
        response.headers["HX-Redirect"] = url_for("auth.login", next=request.full_path)
        return response
    return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
