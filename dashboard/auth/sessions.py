"""Server-side sign-in sessions: each signed-in browser holds a token whose hash is a LoginSession row."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app, g, session
from flask_login import login_user, logout_user
from sqlalchemy import delete, select, update

from dashboard.auth.models import Customer, LoginSession, Member
from dashboard.database import utcnow
from dashboard.extensions import db

TOKEN_KEY = "login_token"

# Refreshing last_seen_at on every request would write on every page view; a minute is precise enough.
SEEN_RESOLUTION = timedelta(minutes=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_login_session(member: Member) -> str:
    """Record a new sign-in; returns the token the browser keeps (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    db.session.add(LoginSession(customer_id=member.customer_id, member_id=member.member_id, token_hash=_hash(token)))
    db.session.flush()
    return token


def _find(token: str | None) -> LoginSession | None:
    if not token:
        return None
    return db.session.scalars(select(LoginSession).where(LoginSession.token_hash == _hash(token))).first()


def _expired(login: LoginSession) -> bool:
    now = utcnow()
    idle = timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
    absolute = timedelta(hours=current_app.config["SESSION_MAX_HOURS"])
    return now - login.last_seen_at > idle or now - login.created_at > absolute


def purge_login_sessions() -> int:
    """Delete sign-ins that can no longer be used (revoked, idle too long or too old); returns how many."""
    now = utcnow()
    idle = timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
    absolute = timedelta(hours=current_app.config["SESSION_MAX_HOURS"])
    result = db.session.execute(delete(LoginSession).where(
        LoginSession.revoked_at.is_not(None) | (LoginSession.last_seen_at < now - idle)
        | (LoginSession.created_at < now - absolute)))
    db.session.commit()
    return result.rowcount


def customer_for_token(customer_id: int, token: str | None) -> Customer | None:
    """The customer whose live sign-in this token is; expired sign-ins are revoked on the way.

    The member who signed in is kept in `g.member` for the request (roles are read from it).
    """
    if not token:
        return None
    # One statement for the three rows every page needs (it runs on every request).
    found = db.session.execute(
        select(LoginSession, Member, Customer)
        .join(Member, Member.member_id == LoginSession.member_id)
        .join(Customer, Customer.customer_id == LoginSession.customer_id)
        .where(LoginSession.token_hash == _hash(token))
    ).first()
    if found is None:
        return None
    login, member, customer = found
    if login.customer_id != customer_id or login.revoked_at is not None or member.customer_id != customer_id:
        return None
    g.member = member
    if _expired(login):
        login.revoked_at = utcnow()
        db.session.commit()
        return None
    if utcnow() - login.last_seen_at > SEEN_RESOLUTION:
        login.last_seen_at = utcnow()
        db.session.commit()
    return customer


def end_login_session(token: str | None) -> None:
    """Revoke the sign-in this token belongs to."""
    login = _find(token)
    if login is None or login.revoked_at is not None:
        return
    login.revoked_at = utcnow()
    db.session.commit()


def end_member_sessions(member_id: int) -> int:
    """Revoke every live sign-in of a member (its role changed, or it was removed); the next request is signed out."""
    result = db.session.execute(update(LoginSession).where(
        LoginSession.member_id == member_id, LoginSession.revoked_at.is_(None)).values(revoked_at=utcnow()))
    return result.rowcount


def sign_in(member: Member) -> Customer:
    """Start a fresh browser session for `member`: nothing from before sign-in survives (no fixation)."""
    session.clear()
    token = start_login_session(member)
    db.session.commit()
    session[TOKEN_KEY] = token
    customer = db.session.get(Customer, member.customer_id)
    g.member = member
    login_user(customer)
    return customer


def sign_out() -> None:
    """End the browser's session here and on the server."""
    end_login_session(session.get(TOKEN_KEY))
    logout_user()
    session.clear()
