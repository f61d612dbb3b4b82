"""A connection's OAuth tokens: encrypted at rest, read decrypted only here, refreshed before they run out."""
from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, select, update

from dashboard.database import utcnow
from dashboard.encryption import decrypt, encrypt, rotate
from dashboard.extensions import db
from dashboard.integrations import oauth_client
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


REFRESH_MARGIN = timedelta(minutes=5)  # a token that runs out sooner is refreshed before use
CLAIM_SECONDS = 30  # how long one process holds the right to refresh a connection
WAIT_SECONDS = 20  # how long another waits for that refresh before giving up


class NeedsReconnect(Exception):
    """The connection cannot be used until the customer connects the app again."""


class TokenUnavailable(Exception):
    """No usable token right now (the provider unreachable, or another refresh still running); `message` says so."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def _expiring(connection: ThirdPartyOAuth, now: datetime) -> bool:
    return connection.expiry is not None and connection.expiry <= now + REFRESH_MARGIN


def _claim(connection_id: int, now: datetime) -> bool:
    """Take the connection's refresh claim (one atomic UPDATE, committed); whether this process got it."""
    taken = db.session.execute(
        update(ThirdPartyOAuth)
        .where(ThirdPartyOAuth.third_party_oauth_id == connection_id,
               or_(ThirdPartyOAuth.refresh_claimed_until.is_(None), ThirdPartyOAuth.refresh_claimed_until < now))
        .values(refresh_claimed_until=now + timedelta(seconds=CLAIM_SECONDS))
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    db.session.commit()
    return taken


def _load(connection_id: int) -> ThirdPartyOAuth:
    db.session.expire_all()
    connection = db.session.get(ThirdPartyOAuth, connection_id)
    if connection is None:
        raise NeedsReconnect()
    if connection.status != "connected":
        raise NeedsReconnect()
    return connection


def fresh_access_token(connection_id: int) -> str:
    """The connection's access token, refreshed first when it runs out within 5 minutes.

    Two processes never refresh one connection at once (providers rotate refresh tokens, so a second refresh
    with the old one fails): the first takes a claim on the row and refreshes with no transaction open, the
    others wait for its result. A refresh the provider refuses marks the connection "needs_reconnect".
    Returns with no transaction open.
    """
    connection = _load(connection_id)
    if not _expiring(connection, utcnow()):
        token = unseal(connection.access_token)
        db.session.commit()
        return token
    deadline = time.monotonic() + WAIT_SECONDS
    while not _claim(connection_id, utcnow()):
        if time.monotonic() > deadline:
            raise TokenUnavailable("The app's connection is being refreshed; please try again in a moment.")
        time.sleep(0.1)
        connection = _load(connection_id)
        if not _expiring(connection, utcnow()):  # the holder of the claim refreshed it
            token = unseal(connection.access_token)
            db.session.commit()
            return token
    connection = _load(connection_id)
    if not _expiring(connection, utcnow()):  # refreshed between the first read and the claim
        connection.refresh_claimed_until = None
        token = unseal(connection.access_token)
        db.session.commit()
        return token
    app, refresh_token = connection.app, unseal(connection.refresh_token)
    db.session.commit()
    try:
        if not refresh_token:
            raise oauth_client.ProviderRefused(f"{app.name} gave no refresh token.")
        answer = oauth_client.refresh(app, refresh_token)
    except oauth_client.ProviderRefused:
        _finish(connection_id, status="needs_reconnect")
        raise NeedsReconnect() from None
    except oauth_client.ProviderUnreachable as failed:
        _finish(connection_id)
        raise TokenUnavailable(failed.message) from None
    _finish(connection_id, answer=answer, old_refresh_token=refresh_token)
    return answer["access_token"]


def _finish(connection_id: int, status: str | None = None, answer: dict | None = None,
            old_refresh_token: str | None = None) -> None:
    """Store the refresh's outcome and release the claim, in one short transaction."""
    connection = db.session.get(ThirdPartyOAuth, connection_id)
    if connection is not None:
        if status:
            connection.status = status
        if answer:
            connection.access_token = seal(answer["access_token"])
            # Providers that rotate send a new refresh token; others keep the old one valid.
            connection.refresh_token = seal(answer.get("refresh_token") or old_refresh_token)
            expires_at = answer.get("expires_at")
            connection.expiry = datetime.fromtimestamp(int(expires_at), UTC) if expires_at else None
        connection.refresh_claimed_until = None
    db.session.commit()
