"""A first Cognito sign-in's verified claims, held in the session until the business profile is saved."""
from __future__ import annotations

import time

from flask import current_app, session

PENDING_KEY = "pending_sign_up"


def email_from_claims(claims: dict) -> str | None:
    """The ID token's email when the provider verified it (Cognito may send "true" as a string)."""
    if str(claims.get("email_verified", "")).lower() == "true":
        return claims.get("email")
    return None


def phone_from_claims(claims: dict) -> str | None:
    if str(claims.get("phone_number_verified", "")).lower() == "true":
        return claims.get("phone_number")
    return None


def hold_sign_up(claims: dict) -> None:
    """Remember who signed in (a fresh session: nothing from before survives) until the profile exists."""
    session.clear()
    session[PENDING_KEY] = {
        "sub": claims["sub"],
        "email": email_from_claims(claims),
        "phone": phone_from_claims(claims),
        "username": claims.get("cognito:username") or claims.get("email") or claims["sub"],
        "started": time.time(),
    }


def pending_sign_up() -> dict | None:
    """The held sign-up, or None when there is none or it is older than the idle timeout."""
    pending = session.get(PENDING_KEY)
    if pending is None:
        return None
    if time.time() - pending["started"] > current_app.config["SESSION_IDLE_MINUTES"] * 60:
        session.pop(PENDING_KEY)
        return None
    return pending
