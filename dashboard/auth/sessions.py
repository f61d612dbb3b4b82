"""Server-side sign-in sessions: each signed-in browser holds a token whose hash is a LoginSession row."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app, session
from flask_login import login_user, logout_user
from sqlalchemy import delete, select

from dashboard.auth.models import Customer, LoginSession
from dashboard.database import utcnow
from dashboard.extensions import db

TOKEN_KEY = "login_token"

# Refreshing last_seen_at on every request would write on every page view; a minute is precise enough.
SEEN_RESOLUTION = timedelta(minutes=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_login_session(customer: Customer) -> str:
    """Record a new sign-in; returns the token the browser keeps (only its hash is stored)."""
    token = secrets.token_urlsafe(32)
    db.session.add(LoginSession(customer_id=customer.customer_id, token_hash=_hash(token)))
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
    """The customer whose live sign-in this token is; expired sign-ins are revoked on the way."""
    login = _find(token)
    if login is None or login.customer_id != customer_id or login.revoked_at is not None:
        return None
    if _expired(login):
        login.revoked_at = utcnow()
        db.session.commit()
        return None
    if utcnow() - login.last_seen_at > SEEN_RESOLUTION:
        login.last_seen_at = utcnow()
        db.session.commit()
    return db.session.get(Customer, customer_id)


def end_login_session(token: str | None) -> None:
    """Revoke the sign-in this token belongs to."""
    login = _find(token)
    if login is None or login.revoked_at is not None:
        return
    login.revoked_at = utcnow()
    db.session.commit()


def sign_in(customer: Customer) -> None:
    """Start a fresh browser session for `customer`: nothing from before sign-in survives (no fixation)."""
    session.clear()
    token = start_login_session(customer)
    db.session.commit()
    session[TOKEN_KEY] = token
    login_user(customer)


def sign_out() -> None:
    """End the browser's session here and on the server."""
    end_login_session(session.get(TOKEN_KEY))
    logout_user()
    session.clear()
