"""Each member's own account: Settings → Your account (password, signed-in sessions), and the public
"forgot password" pages. Every change is in the audit log."""
from __future__ import annotations

from flask import abort, current_app, flash, g, redirect, render_template, request, url_for
from sqlalchemy import select

from dashboard.access import public
from dashboard.auth import audit
from dashboard.auth.models import LoginSession, Member
from dashboard.auth.passwords import (
    PasswordRefused,
    change_password,
    complete_reset,
    has_password,
    request_reset,
    reset_for_token,
    why_unusable,
)
from dashboard.auth.sessions import current_login_session, device_name, end_member_sessions, live_sessions, sign_out
from dashboard.database import utcnow
from dashboard.extensions import db, limiter
from dashboard.jobs import defer
from dashboard.teams import account_bp as bp
from dashboard.teams.forms import ChangePasswordForm, ForgotPasswordForm, ResetPasswordForm
from dashboard.teams.mail import send_password_reset

SENT = ("If that email signs in to AngelCX with a password, a link to choose a new one is on its way. "
        "It works once, within an hour. Check your spam folder if it does not arrive in a few minutes.")


def _page(form=None, status=200):
    current = current_login_session()
    return render_template("teams/account.html", member=g.member, has_password=has_password(g.member),
                           form=form or ChangePasswordForm(formdata=None), sessions=live_sessions(g.member.member_id),
                           current_id=current.login_session_id if current else None, device_name=device_name), status


@bp.get("/settings/account")
def account():
    return _page()


@bp.post("/settings/account/password")
def change_own_password():
    form = ChangePasswordForm()
    if form.validate_on_submit():
        current = current_login_session()
        try:
            ended = change_password(g.member, form.current.data, form.password.data,
                                    current.login_session_id if current else None)
        except PasswordRefused as refused:
            db.session.rollback()
            form.current.errors.append(str(refused))
        else:
            audit.record(g.member.customer_id, "password.changed", f"member {g.member.email}",
                         {"other sessions ended": [None, ended]})
            db.session.commit()
            others = f" {ended} other sign-in{'s' if ended != 1 else ''} ended." if ended else ""
            flash(f"Your password is changed.{others}", "success")
            return redirect(url_for("account.account"))
    return _page(form, 422)


def _own_session(login_session_id: int) -> LoginSession:
    login = db.session.scalars(select(LoginSession).where(
        LoginSession.login_session_id == login_session_id, LoginSession.member_id == g.member.member_id)).first()
    if login is None:
        abort(404)  # another member's (or business's) sign-in looks like none at all
    return login


@bp.post("/settings/account/sessions/<int:login_session_id>/end")
def end_session(login_session_id: int):
    login = _own_session(login_session_id)
    current = current_login_session()
    where = f"{device_name(login.user_agent)}, {login.ip_address or 'unknown address'}"
    if login.revoked_at is None:
        login.revoked_at = utcnow()
        audit.record(g.member.customer_id, "session.ended", f"sign-in #{login.login_session_id} ({where})")
        db.session.commit()
    if current is not None and current.login_session_id == login.login_session_id:
        sign_out()
        flash("You have signed out.", "info")
        return redirect(url_for("auth.login"))
    flash(f"Signed out the session on {where}.", "success")
    return redirect(url_for("account.account"))


@bp.post("/settings/account/sessions/end-others")
def end_other_sessions():
    current = current_login_session()
    ended = end_member_sessions(g.member.member_id, keep=current.login_session_id if current else None)
    if ended:
        audit.record(g.member.customer_id, "session.ended_others", f"member {g.member.email}",
                     {"sessions ended": [None, ended]})
    db.session.commit()
    flash(f"Signed out everywhere else ({ended} session{'s' if ended != 1 else ''})." if ended
          else "You were not signed in anywhere else.", "success")
    return redirect(url_for("account.account"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["PASSWORD_RESET_RATE_LIMIT"], methods=["POST"],
               error_message="Too many requests from your address. Please wait a few minutes and try again.")
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        reset = request_reset(form.email.data)
        if reset is not None:
            member = db.session.get(Member, reset.member_id)
            audit.acting_as("member", f"{member.name} (forgot password)", member.member_id)
            audit.record(member.customer_id, "password.reset_requested", f"member {member.email}")
            defer(send_password_reset, reset.password_reset_id, request.host_url)
        db.session.commit()
        # The same answer whether or not the email is known: the page tells nobody who has an account.
        return render_template("auth/forgot_password.html", form=None, sent=SENT)
    return render_template("auth/forgot_password.html", form=form, sent=None), 422 if form.errors else 200


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    reset = reset_for_token(token, lock=request.method == "POST")
    closed = why_unusable(reset)
    form = ResetPasswordForm()
    if closed is None and form.validate_on_submit():
        member = db.session.get(Member, reset.member_id)
        audit.acting_as("member", f"{member.name} (password reset)", member.member_id)
        try:
            complete_reset(reset, form.password.data)
        except PasswordRefused as refused:
            db.session.rollback()
            closed = str(refused)
        else:
            audit.record(member.customer_id, "password.reset", f"member {member.email}")
            db.session.commit()
            sign_out()  # whoever is signed in in this browser: the new password is used from a fresh sign-in
            flash("Your password is changed and every sign-in has ended. Sign in with the new password.", "success")
            return redirect(url_for("auth.login"))
    status = (404 if reset is None else 410) if closed else (422 if form.errors else 200)
    return render_template("auth/reset_password.html", form=form, closed=closed, token=token), status
