"""Server-side sign-in sessions: each signed-in browser holds a token whose hash is a LoginSession row."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app, g, has_request_context, request, session
from flask_login import login_user, logout_user
from sqlalchemy import delete, select, update

from dashboard.auth.models import Customer, LoginSession, Member, PasswordReset
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
    agent = (request.user_agent.string or None) if has_request_context() else None
    address = request.remote_addr if has_request_context() else None
    db.session.add(LoginSession(customer_id=member.customer_id, member_id=member.member_id, token_hash=_hash(token),
                                user_agent=agent[:255] if agent else None, ip_address=address))
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
    """Delete sign-ins that can no longer be used (revoked, idle too long or too old), and reset links expired a day
    ago; returns how many sign-ins."""
    now = utcnow()
    idle = timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
    absolute = timedelta(hours=current_app.config["SESSION_MAX_HOURS"])
    result = db.session.execute(delete(LoginSession).where(
        LoginSession.revoked_at.is_not(None) | (LoginSession.last_seen_at < now - idle)
        | (LoginSession.created_at < now - absolute)))
    # Forgotten-password links past their hour are of no use either (kept a day, for whoever looks into one).
    db.session.execute(delete(PasswordReset).where(PasswordReset.expires_at < now - timedelta(days=1)))
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


def end_member_sessions(member_id: int, keep: int | None = None) -> int:
    """Revoke every live sign-in of a member (its role changed, or it was removed; or, with `keep`, every one but
    that one: its password changed); the next request of each is signed out. Returns how many ended."""
    ending = update(LoginSession).where(LoginSession.member_id == member_id, LoginSession.revoked_at.is_(None))
    if keep is not None:
        ending = ending.where(LoginSession.login_session_id != keep)
    return db.session.execute(ending.values(revoked_at=utcnow())).rowcount


def current_login_session() -> LoginSession | None:
    """This browser's sign-in (None when signed out)."""
    return _find(session.get(TOKEN_KEY))


def live_sessions(member_id: int, limit: int = 50) -> list[LoginSession]:
    """A member's sign-ins that still work (not ended, idle or too old), most recently seen first."""
    now = utcnow()
    idle = timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
    absolute = timedelta(hours=current_app.config["SESSION_MAX_HOURS"])
    return list(db.session.scalars(select(LoginSession).where(
        LoginSession.member_id == member_id, LoginSession.revoked_at.is_(None),
        LoginSession.last_seen_at >= now - idle, LoginSession.created_at >= now - absolute)
        .order_by(LoginSession.last_seen_at.desc(), LoginSession.login_session_id.desc()).limit(limit)))


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


_BROWSERS = (("Edg/", "Edge"), ("OPR/", "Opera"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
             ("Chromium/", "Chromium"), ("Safari/", "Safari"))
_SYSTEMS = (("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android"), ("Windows", "Windows"),
            ("Mac OS X", "macOS"), ("CrOS", "ChromeOS"), ("Linux", "Linux"))


def device_name(user_agent: str | None) -> str:
    """"Chrome on macOS" from a User-Agent, for people telling their sign-ins apart; "Unknown device" without one."""
    if not user_agent:
        return "Unknown device"
    browser = next((name for mark, name in _BROWSERS if mark in user_agent), None)
    system = next((name for mark, name in _SYSTEMS if mark in user_agent), None)
    if browser and system:
        return f"{browser} on {system}"
    return browser or system or user_agent[:60]
