"""Sign-in (local form and AWS Cognito), the Cognito callback, and sign-out."""
from __future__ import annotations

from urllib.parse import unquote, urlsplit

from flask import abort, current_app, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user

from dashboard.auth import bp, cognito_gateway
from dashboard.auth.forms import LoginForm
from dashboard.auth.guard import public
from dashboard.auth.onboarding_steps import STEP_ENDPOINTS
from dashboard.auth.operations import authenticate, find_member_by_cognito_id
from dashboard.auth.sessions import sign_in, sign_out
from dashboard.auth.sign_up import PENDING_KEY, hold_sign_up, pending_sign_up
from dashboard.extensions import limiter

NEXT_KEY = "next_after_sign_in"


def _unsafe(candidate: str) -> bool:
    parts = urlsplit(candidate)
    return (
        not candidate.startswith("/") or candidate.startswith("//") or "\\" in candidate
        or parts.scheme != "" or parts.netloc != ""
        # Browsers drop tabs and newlines inside URLs ("/\t/evil.com" becomes "//evil.com").
        or any(ord(c) < 32 or ord(c) == 127 or c.isspace() for c in candidate)
    )


def safe_next(target: str | None) -> str:
    """`target` when it is a path on this site, else the home page (never another origin)."""
    if not target or _unsafe(target) or _unsafe(unquote(target)):
        return url_for("core.home")
    return target


def _after_sign_in(customer, target: str | None):
    if customer.onboarding_step in STEP_ENDPOINTS:
        return redirect(url_for(STEP_ENDPOINTS[customer.onboarding_step]))
    return redirect(safe_next(target))


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["LOGIN_RATE_LIMIT"], methods=["POST"],
               error_message="Too many sign-in attempts from your address. Please wait a minute and try again.")
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    if pending_sign_up() is not None:
        return redirect(url_for("onboarding.profile"))
    cognito, local = cognito_gateway.configured(), current_app.config["LOCAL_LOGIN_ENABLED"]
    if not local:
        if request.method == "POST":
            abort(404)
        if cognito:
            return cognito_login()
    form = LoginForm() if local else None
    if form is not None and form.validate_on_submit():
        member = authenticate(form.email.data, form.password.data)
        if member is not None:
            customer = sign_in(member)
            flash(f"Welcome back, {customer.name}.", "success")
            return _after_sign_in(customer, request.args.get("next"))
        form.password.errors.append("That email and password do not match an account.")
        return render_template("auth/login.html", form=form, cognito=cognito), 401
    status = 422 if form is not None and form.errors else 200
    return render_template("auth/login.html", form=form, cognito=cognito), status


@bp.get("/cognito")
@public
def cognito_login():
    if not cognito_gateway.configured():
        abort(404)
    session[NEXT_KEY] = safe_next(request.args.get("next"))
    try:
        return cognito_gateway.authorize_redirect(url_for("auth.callback", _external=True))
    except cognito_gateway.SignInRefused as refused:
        return _refused(refused.message, 503)


# A Cognito sign-in that comes back unknown: a pending invitation (teams) claims it, else a new business starts.
INVITATION_KEY = "accepting_invitation"


def _refused(message: str, status: int = 400):
    sign_out()
    return render_template("auth/refused.html", message=message), status


@bp.get("/callback")
@public
def callback():
    if not cognito_gateway.configured():
        abort(404)
    try:
        claims = cognito_gateway.verified_claims()
    except cognito_gateway.SignInRefused as refused:
        return _refused(refused.message)
    target = session.get(NEXT_KEY)
    member = find_member_by_cognito_id(claims["sub"])
    if member is None:
        accepting = session.get(INVITATION_KEY)
        hold_sign_up(claims)
        if accepting:  # an invited person's first Cognito sign-in joins that business
            session[INVITATION_KEY] = accepting
            return redirect(url_for("teams.accept_cognito"))
        return redirect(url_for("onboarding.profile"))
    customer = sign_in(member)
    flash(f"Welcome back, {customer.name}.", "success")
    return _after_sign_in(customer, target)


@bp.post("/logout")
@public
def logout():
    # Public so a half-finished sign-up (no customer yet) can also sign out.
    signed_in = current_user.is_authenticated  # loads the member into g
    signed_in_with_cognito = bool(signed_in and g.get("member") is not None and g.member.cognito_id)
    was_cognito = signed_in_with_cognito or PENDING_KEY in session
    sign_out()
    if was_cognito and cognito_gateway.configured():
        provider_logout = cognito_gateway.logout_url(url_for("auth.signed_out", _external=True))
        if provider_logout:
            return redirect(provider_logout)
    flash("You have signed out.", "info")
    return redirect(url_for("auth.login"))


@bp.get("/signed-out")
@public
def signed_out():
    return render_template("auth/signed_out.html")
