"""Members and invitations: invite, resend, revoke, accept; change a role; remove. The last owner stays."""
from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select

from dashboard.auth.models import ROLES, ApiKey, Customer, Invitation, Member
from dashboard.auth.operations import find_member_by_email, hash_password
from dashboard.auth.sessions import end_member_sessions
from dashboard.billing.entitlements import require_seat
from dashboard.database import utcnow
from dashboard.extensions import db
from dashboard.jobs import defer

INVITATION_DAYS = 7


class Refused(Exception):
    """The change is not allowed; the message says why, for people."""


def token_for(invitation: Invitation) -> str:
    mac = hmac.new(current_app.config["SECRET_KEY"].encode(), f"invitation:{invitation.invitation_id}:"
                   f"{invitation.nonce}".encode(), hashlib.sha256).hexdigest()
    return f"{invitation.invitation_id}.{mac}"


def invitation_for_token(token: str, lock: bool = False) -> Invitation | None:
    """The invitation this link names (whatever its state), or None for a link we did not make."""
    number, _, mac = token.partition(".")
    if not number.isdigit() or len(number) > 18 or not mac:
        return None
    query = select(Invitation).where(Invitation.invitation_id == int(number))
    invitation = db.session.scalars(query.with_for_update() if lock else query).first()
    if invitation is None or not hmac.compare_digest(token_for(invitation), token):
        return None
    return invitation


def why_closed(invitation: Invitation) -> str | None:
    """Why this invitation can no longer be accepted (None while it can)."""
    if invitation.accepted_at is not None:
        return "This invitation has already been used. Sign in instead."
    if invitation.revoked_at is not None:
        return "This invitation was withdrawn. Ask whoever invited you for a new one."
    if invitation.expires_at <= utcnow():
        return "This invitation has expired (they last 7 days). Ask for it to be sent again."
    return None


def _may_grant(actor: Member, role: str) -> None:
    if role not in ROLES:
        raise Refused("Choose one of the roles offered.")
    if role == "owner" and actor.role != "owner":
        raise Refused("Only an owner can make someone an owner.")


def invite(customer: Customer, actor: Member, email: str, role: str, transcripts_hidden: bool,
           base_url: str) -> Invitation:
    _may_grant(actor, role)
    email = email.strip().lower()
    if find_member_by_email(email) is not None:
        raise Refused("This email already signs in to a business; each person belongs to one.")
    open_one = db.session.scalar(select(Invitation.invitation_id).where(
        Invitation.customer_id == customer.customer_id, func.lower(Invitation.email) == email,
        Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None), Invitation.expires_at > utcnow()))
    if open_one is not None:
        raise Refused("This person already has an open invitation: resend it below.")
    require_seat(customer.customer_id)
    invitation = Invitation(customer_id=customer.customer_id, email=email, role=role,
                            transcripts_hidden=transcripts_hidden, nonce=secrets.token_hex(16),
                            invited_by_member_id=actor.member_id,
                            expires_at=utcnow() + timedelta(days=INVITATION_DAYS))
    db.session.add(invitation)
    db.session.flush()
    _send(invitation, base_url)
    return invitation


def _send(invitation: Invitation, base_url: str) -> None:
    from dashboard.teams.mail import send_invitation

    defer(send_invitation, invitation.invitation_id, base_url)


def resend(invitation: Invitation, base_url: str) -> None:
    """A new link (the old one stops working), good for another 7 days."""
    if invitation.accepted_at is not None or invitation.revoked_at is not None:
        raise Refused("Only an open or expired invitation can be sent again.")
    invitation.nonce = secrets.token_hex(16)
    invitation.expires_at = utcnow() + timedelta(days=INVITATION_DAYS)
    db.session.flush()
    _send(invitation, base_url)


def revoke(invitation: Invitation) -> None:
    if invitation.accepted_at is not None:
        raise Refused("This invitation was already accepted; remove the member instead.")
    if invitation.revoked_at is None:
        invitation.revoked_at = utcnow()


def accept(invitation: Invitation, name: str, password: str | None = None, cognito_id: str | None = None) -> Member:
    """Join the business: a member with the invited role. The invitation is locked, so it is used once."""
    reason = why_closed(invitation)
    if reason:
        raise Refused(reason)
    if find_member_by_email(invitation.email) is not None:
        raise Refused("This email already signs in to a business.")
    member = Member(customer_id=invitation.customer_id, name=name.strip(), email=invitation.email,
                    role=invitation.role, transcripts_hidden=invitation.transcripts_hidden, cognito_id=cognito_id,
                    password_hash=hash_password(password) if password else None)
    db.session.add(member)
    invitation.accepted_at = utcnow()
    db.session.flush()
    return member


def _owners(customer_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Member).where(
        Member.customer_id == customer_id, Member.role == "owner"))


def _may_manage(actor: Member, member: Member) -> None:
    if member.role == "owner" and actor.role != "owner":
        raise Refused("Only an owner can change or remove an owner.")


def change_role(actor: Member, member: Member, role: str, transcripts_hidden: bool) -> bool:
    """Change a member's role; their sign-ins end at once. Returns whether anything changed."""
    _may_grant(actor, role)
    _may_manage(actor, member)
    if member.role == "owner" and role != "owner" and _owners(member.customer_id) <= 1:
        raise Refused("This is the business's last owner: make someone else an owner first.")
    if (member.role, member.transcripts_hidden) == (role, transcripts_hidden):
        return False
    member.role, member.transcripts_hidden = role, transcripts_hidden
    db.session.flush()
    end_member_sessions(member.member_id)
    return True


def remove(actor: Member, member: Member) -> None:
    """Remove a member: their sign-ins end and the API keys they created are revoked, at once."""
    _may_manage(actor, member)
    if member.role == "owner" and _owners(member.customer_id) <= 1:
        raise Refused("This is the business's last owner and cannot be removed.")
    end_member_sessions(member.member_id)
    for key in db.session.scalars(select(ApiKey).where(ApiKey.member_id == member.member_id,
                                                       ApiKey.revoked_at.is_(None))):
        key.revoked_at = utcnow()  # recorded in the audit log, key by key
    db.session.delete(member)
    db.session.flush()


def members_of(customer_id: int) -> list[Member]:
    return list(db.session.scalars(Member.owned_select(customer_id).order_by(Member.created_at, Member.member_id)))


def open_invitations(customer_id: int) -> list[Invitation]:
    """Invitations not accepted or revoked (expired ones too, so they can be sent again), newest first."""
    return list(db.session.scalars(Invitation.owned_select(customer_id).where(
        Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None))
        .order_by(Invitation.created_at.desc(), Invitation.invitation_id.desc()).limit(200)))
