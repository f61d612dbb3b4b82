"""Every page needs a signed-in customer, except those marked public."""
from __future__ import annotations

from flask import abort, current_app, g, request, session, url_for
from flask_login import current_user

from dashboard.access import public  # noqa: F401  (re-exported: views import it from here too)
from dashboard.auth import bp
from dashboard.auth.models import Customer
from dashboard.auth.onboarding_steps import STEP_ENDPOINTS
from dashboard.auth.permissions import refusal_for_request
from dashboard.auth.sessions import TOKEN_KEY, customer_for_token
from dashboard.extensions import login_manager
from dashboard.fragments import hx_redirect
from dashboard.tenancy import names_foreign_row

# Blueprints that authenticate on their own (API keys); webhooks are marked @public and check signatures.
SELF_AUTHENTICATING_BLUEPRINTS = {"api"}
# Where a customer who has not finished onboarding may still go (billing holds the plan step's pages).
ONBOARDING_BLUEPRINTS = {"onboarding", "billing", "auth"}
PLAN_DEFERRED_KEY = "plan_deferred"


@login_manager.user_loader
def load_customer(customer_id: str) -> Customer | None:
    # The customer id alone is not enough: the browser must also hold a live, unexpired sign-in.
    if not customer_id.isdigit():
        return None
    return customer_for_token(int(customer_id), session.get(TOKEN_KEY))


@bp.before_app_request
def require_sign_in():
    if request.endpoint is None or request.endpoint == "static":
        return None
    if request.blueprint in SELF_AUTHENTICATING_BLUEPRINTS:
        return None
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "is_public", False) or current_user.is_authenticated:
        return None
    # htmx hears 401 (not signed in) with the sign-in page to load; a browser is redirected to it.
    return hx_redirect(url_for("auth.login", next=request.full_path.rstrip("?")), htmx_status=401)


@bp.before_app_request
def resume_onboarding():
    """A customer who has not finished onboarding is sent back to its step."""
    if request.endpoint in (None, "static") or request.blueprint in SELF_AUTHENTICATING_BLUEPRINTS | ONBOARDING_BLUEPRINTS:
        return None
    if not current_user.is_authenticated or current_user.onboarding_step not in STEP_ENDPOINTS:
        return None
    if getattr(current_app.view_functions.get(request.endpoint), "is_public", False):
        return None
    if current_user.onboarding_step == "plan" and session.get(PLAN_DEFERRED_KEY):
        return None  # "I'll choose later": asked again at the next sign-in
    return hx_redirect(url_for(STEP_ENDPOINTS[current_user.onboarding_step]))


@bp.before_app_request
def authorize():
    """Every page a member opens is checked against its role (dashboard/auth/permissions.py), before the view."""
    if request.endpoint in (None, "static") or request.blueprint in SELF_AUTHENTICATING_BLUEPRINTS:
        return None
    if getattr(current_app.view_functions.get(request.endpoint), "is_public", False):
        return None
    if not current_user.is_authenticated:
        return None  # require_sign_in already answered
    reason = refusal_for_request(g.get("member"), request.endpoint, request.blueprint, request.method)
    if reason is None:
        return None
    if names_foreign_row(request.view_args or {}):
        abort(404)  # another customer's id looks the same whatever the role
    current_app.logger.info("refused %s %s for role %s", request.method, request.endpoint,
                            getattr(g.get("member"), "role", None))
    abort(403, reason)
