"""A member's own password: change it (the current one required), or reset a forgotten one by an emailed link.

A reset link works once, for an hour; a member gets at most RESETS_PER_HOUR links an hour (further requests send
nothing, and say the same as any other). Its token is an HMAC of the request's id under SECRET_KEY; the database
keeps only the token's SHA-256, and the email job derives the token again from the id, so no stored row (the
request's or the job's) makes a working link.
"""
from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from flask import current_app
from sqlalchemy import func, select, update
from werkzeug.security import check_password_hash

from dashboard.auth.models import Member, PasswordReset
from dashboard.auth.operations import find_member_by_email, hash_password
from dashboard.auth.sessions import end_member_sessions
from dashboard.database import utcnow
from dashboard.extensions import db

RESET_VALID_FOR = timedelta(hours=1)
RESETS_PER_HOUR = 3
MIN_LENGTH = 10


class PasswordRefused(Exception):
    """The change is not allowed; the message says why and what to do."""


def has_password(member: Member) -> bool:
    """Whether the member signs in with a password here (else only through the identity provider)."""
    return bool(member.password_hash)


def change_password(member: Member, current: str, new: str, keep_session_id: int | None) -> int:
    """Set a new password after checking the current one; every other sign-in of the member ends.
    Returns how many other sign-ins ended."""
    if not has_password(member):
        raise PasswordRefused("Your password is managed by your identity provider: change it there.")
    if not check_password_hash(member.password_hash, current):
        raise PasswordRefused("That is not your current password. Type it again, or reset it from the sign-in page.")
    if check_password_hash(member.password_hash, new):
        raise PasswordRefused("Choose a password different from your current one.")
    member.password_hash = hash_password(new)
    db.session.flush()
    return end_member_sessions(member.member_id, keep=keep_session_id)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def reset_token(reset: PasswordReset) -> str:
    """The link's token for this request (derived, never stored)."""
    mac = hmac.new(current_app.config["SECRET_KEY"].encode(), f"password-reset:{reset.password_reset_id}".encode(),
                   hashlib.sha256).hexdigest()
    return f"{reset.password_reset_id}.{mac}"


def request_reset(email: str) -> PasswordReset | None:
    """A new reset request for the member signing in with `email` and a password; None when there is none, or
    the member had RESETS_PER_HOUR links this past hour (the caller answers alike either way)."""
    member = find_member_by_email(email)
    if member is None or not has_password(member):
        return None
    now = utcnow()
    recent = db.session.scalar(select(func.count()).select_from(PasswordReset).where(
        PasswordReset.member_id == member.member_id, PasswordReset.created_at > now - timedelta(hours=1)))
    if recent >= RESETS_PER_HOUR:
        return None
    reset = PasswordReset(customer_id=member.customer_id, member_id=member.member_id, created_at=now,
                          expires_at=now + RESET_VALID_FOR)
    db.session.add(reset)
    db.session.flush()
    reset.token_hash = _digest(reset_token(reset))
    db.session.flush()
    return reset


def reset_for_token(token: str, lock: bool = False) -> PasswordReset | None:
    """The request this link names, whatever its state; None for a link we did not make."""
    if not token or len(token) > 200:
        return None
    query = select(PasswordReset).where(PasswordReset.token_hash == _digest(token))
    return db.session.scalars(query.with_for_update() if lock else query).first()


def why_unusable(reset: PasswordReset | None) -> str | None:
    """Why this link can no longer set a password (None while it can)."""
    if reset is None:
        return "This link is not valid. Ask for a new one below."
    if reset.used_at is not None:
        return "This link was already used. If you need to, ask for a new one below."
    if reset.expires_at <= utcnow():
        return "This link has expired (links work for an hour). Ask for a new one below."
    return None


def complete_reset(reset: PasswordReset, new: str) -> Member:
    """Set the member's new password: this link and every other open one stop working, and every sign-in ends."""
    reason = why_unusable(reset)
    if reason:
        raise PasswordRefused(reason)
    member = db.session.get(Member, reset.member_id)
    member.password_hash = hash_password(new)
    now = utcnow()
    db.session.execute(update(PasswordReset).where(PasswordReset.member_id == member.member_id,
                                                   PasswordReset.used_at.is_(None)).values(used_at=now))
    reset.used_at = now
    db.session.flush()
    end_member_sessions(member.member_id)
    return member
