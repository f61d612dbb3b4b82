"""API keys: created once in clear, stored as a SHA-256 hash, looked up by bearer header."""
from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import func, select

from dashboard.auth.models import ApiKey, Customer, Member
from dashboard.database import utcnow
from dashboard.extensions import db

PREFIX = "acx_"


def _hash(secret: str) -> str:
    # Keys are 32 random bytes: a fast hash is enough (no dictionary to guess from).
    return hashlib.sha256(secret.encode()).hexdigest()


# A handful of integrations per business; the cap keeps the settings list short (no pagination needed).
MAX_LIVE_KEYS = 20


class TooManyKeys(Exception):
    """The customer already has MAX_LIVE_KEYS live keys."""


def api_keys_for(customer_id: int) -> list[tuple[ApiKey, str | None]]:
    """The customer's keys with the name of the member who created them, live ones first, newest first."""
    return [tuple(row) for row in db.session.execute(
        ApiKey.owned_select(customer_id).add_columns(Member.name).outerjoin(Member, Member.member_id == ApiKey.member_id)
        .order_by(ApiKey.revoked_at.is_not(None), ApiKey.created_at.desc(), ApiKey.api_key_id.desc())
    )]


def create_api_key(customer: Customer, name: str, member: Member | None = None) -> tuple[ApiKey, str]:
    """A new key for `customer`, acting with `member`'s role; the clear secret is returned once and never stored.

    Without `member` (tests, scripts) the key belongs to the business's first owner.
    """
    live = db.session.scalar(select(func.count()).select_from(ApiKey).where(
        ApiKey.customer_id == customer.customer_id, ApiKey.revoked_at.is_(None)))
    if live >= MAX_LIVE_KEYS:
        raise TooManyKeys(f"You have {MAX_LIVE_KEYS} live keys, the most allowed. Revoke one you no longer use.")
    public = secrets.token_hex(4)
    secret = f"{PREFIX}{public}_{secrets.token_urlsafe(32)}"
    if member is None:
        member = db.session.scalars(select(Member).where(Member.customer_id == customer.customer_id,
                                                         Member.role == "owner").order_by(Member.member_id)).first()
    key = ApiKey(customer_id=customer.customer_id, name=name.strip(), prefix=f"{PREFIX}{public}",
                 key_hash=_hash(secret), member_id=member.member_id if member else None)
    db.session.add(key)
    db.session.flush()
    return key, secret


def key_for_secret(secret: str) -> ApiKey | None:
    """The live (unrevoked) key with this secret, recording its use; None otherwise."""
    if not secret.startswith(PREFIX):
        return None
    key = db.session.scalars(
        select(ApiKey).where(ApiKey.key_hash == _hash(secret), ApiKey.revoked_at.is_(None))
    ).first()
    if key is None:
        return None
    key.last_used_at = utcnow()
    return key


def customer_for_secret(secret: str) -> Customer | None:
    """The customer a live (unrevoked) key belongs to, recording its use; None otherwise."""
    key = key_for_secret(secret)
    return db.session.get(Customer, key.customer_id) if key is not None else None


def revoke_api_key(key: ApiKey) -> None:
    key.revoked_at = utcnow()
