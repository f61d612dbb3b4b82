"""A connection's OAuth tokens: encrypted at rest, read decrypted only here, refreshed before they run out."""
from __future__ import annotations

from sqlalchemy import select

from dashboard.encryption import decrypt, encrypt, rotate
from dashboard.extensions import db
from dashboard.integrations.models import ThirdPartyOAuth


def seal(token: str | None) -> str | None:
    return encrypt(token) if token else None


def unseal(stored: str | None) -> str | None:
    return decrypt(stored) if stored else None


def rotate_stored_tokens() -> int:
    """Every connection's tokens re-encrypted under the first key; how many values were rewritten."""
    rewritten = 0
    for connection in db.session.scalars(select(ThirdPartyOAuth)):
        for column in ("access_token", "refresh_token"):
            value = getattr(connection, column)
            if value:
                setattr(connection, column, rotate(value))
                rewritten += 1
    return rewritten
