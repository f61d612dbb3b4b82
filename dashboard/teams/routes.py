"""Settings → Members: the team, its invitations and roles; and the public page that accepts an invitation."""
from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, request, session, url_for
from flask_login import current_user

from dashboard.access import public
from dashboard.auth import audit, cognito_gateway
from dashboard.auth.models import Customer, Invitation, Member
from dashboard.auth.routes import INVITATION_KEY
from dashboard.auth.sessions import sign_in
from dashboard.auth.sign_up import PENDING_KEY, pending_sign_up
from dashboard.billing.entitlements import NotEntitled
from dashboard.database import utcnow
from dashboard.extensions import db
from dashboard.teams import bp
from dashboard.teams.forms import ROLE_CHOICES, AcceptForm, InviteForm, RoleForm
from dashboard.teams.operations import (
    Refused,
    accept,
    change_role,
    invitation_for_token,
    invite,
    members_of,
    open_invitations,
    remove,
    resend,
    revoke,
    why_closed,
)
from dashboard.tenancy import current_customer, get_owned_or_404


def _page(invite_form=None, status=200):
    customer_id = current_customer.customer_id
    return render_template("teams/index.html", members=members_of(customer_id),
                           invitations=open_invitations(customer_id), invite_form=invite_form or InviteForm(formdata=None),
                           role_choices=ROLE_CHOICES, now=utcnow()), status


@bp.get("/settings/members")
def index():
    return _page()


@bp.post("/settings/members/invite")
def invite_member():
    form = InviteForm()
    if form.validate_on_submit():
        try:
            invite(current_customer, g.member, form.email.data, form.role.data, form.transcripts_hidden.data,
                   request.host_url)
            db.session.commit()
        except (Refused, NotEntitled) as refused:
            db.session.rollback()
            form.email.errors.append(str(refused))
        else:
            flash(f"Invitation sent to {form.email.data}. The link works once, for 7 days.", "success")
            return redirect(url_for("teams.index"))
    return _page(invite_form=form, status=422)


def _done(message: str):
    flash(message, "success")
    return redirect(url_for("teams.index"))


def _refused(refused: Exception):
    db.session.rollback()
    flash(str(refused), "error")
    return redirect(url_for("teams.index"))


@bp.post("/settings/members/invitations/<int:invitation_id>/resend")
def resend_invitation(invitation_id: int):
    invitation = get_owned_or_404(Invitation, invitation_id)
    try:
        resend(invitation, request.host_url)
        db.session.commit()
    except Refused as refused:
        return _refused(refused)
    return _done(f"A new link went to {invitation.email}; the earlier one no longer works.")


@bp.post("/settings/members/invitations/<int:invitation_id>/revoke")
def revoke_invitation(invitation_id: int):
    invitation = get_owned_or_404(Invitation, invitation_id)
    try:
        revoke(invitation)
        db.session.commit()
    except Refused as refused:
        return _refused(refused)
    return _done(f"The invitation to {invitation.email} is withdrawn; its link no longer works.")


@bp.post("/settings/members/<int:member_id>/role")
def change_member_role(member_id: int):
    member = get_owned_or_404(Member, member_id)
    form = RoleForm()
    if not form.validate_on_submit():
        flash("Choose one of the roles offered.", "error")
        return redirect(url_for("teams.index"))
    try:
        changed = change_role(g.member, member, form.role.data, form.transcripts_hidden.data)
        db.session.commit()
    except Refused as refused:
        return _refused(refused)
    if not changed:
        return _done(f"{member.name}'s role is unchanged.")
    return _done(f"{member.name} is now {member.role}; their sign-ins ended, so the new role applies from now.")


@bp.post("/settings/members/<int:member_id>/remove")
def remove_member(member_id: int):
    member = get_owned_or_404(Member, member_id)
    name, yourself = member.name, member.member_id == g.member.member_id
    try:
        remove(g.member, member)
        db.session.commit()
    except Refused as refused:
        return _refused(refused)
    if yourself:
        return redirect(url_for("auth.login"))
    return _done(f"{name} was removed: signed out everywhere, and the API keys they created are revoked.")


def _open_invitation(token: str, lock: bool = False) -> Invitation:
    invitation = invitation_for_token(token, lock=lock)
    if invitation is None:
        abort(404)
    return invitation


@bp.route("/invitations/<token>", methods=["GET", "POST"])
@public
def accept_invitation(token: str):
    invitation = _open_invitation(token, lock=request.method == "POST")
    closed = why_closed(invitation)
    if current_user.is_authenticated and not closed:
        closed = "You are signed in already: sign out first to accept this invitation as someone new."
    form = AcceptForm()
    if closed is None and form.validate_on_submit():
        audit.acting_as("member", f"{form.name.data} (accepting an invitation)")
        try:
            member = accept(invitation, form.name.data, password=form.password.data)
            db.session.commit()
        except Refused as refused:
            db.session.rollback()
            closed = str(refused)
        else:
            sign_in(member)
            flash(f"Welcome to {current_customer.name}, {member.name}.", "success")
            return redirect(url_for("core.home"))
    status = 410 if closed else (422 if form.errors else 200)
    return render_template("teams/accept.html", invitation=invitation, form=form, closed=closed, token=token,
                           business=db.session.get(Customer, invitation.customer_id),
                           cognito=cognito_gateway.configured()), status


@bp.post("/invitations/<token>/cognito")
@public
def accept_with_cognito(token: str):
    """Accept by signing up (or in) with Cognito: the invitation waits in the session for the callback."""
    invitation = _open_invitation(token)
    if why_closed(invitation):
        return redirect(url_for("teams.accept_invitation", token=token))
    session[INVITATION_KEY] = token
    return redirect(url_for("auth.cognito_login"))


@bp.get("/invitations/cognito/finish")
@public
def accept_cognito():
    """Back from Cognito with an identity no member has: it joins the invited business."""
    token, pending = session.get(INVITATION_KEY), pending_sign_up()
    if not token or pending is None:
        return redirect(url_for("auth.login"))
    invitation = _open_invitation(token, lock=True)
    name = pending.get("username") or invitation.email
    audit.acting_as("member", f"{name} (accepting an invitation)")
    try:
        member = accept(invitation, name, cognito_id=pending["sub"])
        db.session.commit()
    except Refused as refused:
        db.session.rollback()
        session.pop(PENDING_KEY, None)
        return render_template("auth/refused.html", message=str(refused)), 410
    sign_in(member)
    flash(f"Welcome to {current_customer.name}, {member.name}.", "success")
    return redirect(url_for("core.home"))
