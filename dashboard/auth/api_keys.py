"""API keys: created once in clear, stored as a SHA-256 hash, looked up by bearer header."""
from __future__ import annotations

import hashlib
import secrets

from sqlalchemy import select

from dashboard.auth.models import ApiKey, Customer
from dashboard.database import utcnow
from dashboard.extensions import db

PREFIX = "acx_"


def _hash(secret: str) -> str:
    # Keys are 32 random bytes: a fast hash is enough (no dictionary to guess from).
    return hashlib.sha256(secret.encode()).hexdigest()


def create_api_key(customer: Customer, name: str) -> tuple[ApiKey, str]:
    """A new key for `customer`; the clear secret is returned once and never stored."""
    public = secrets.token_hex(4)
    secret = f"{PREFIX}{public}_{secrets.token_urlsafe(32)}"
    key = ApiKey(customer_id=customer.customer_id, name=name.strip(), prefix=f"{PREFIX}{public}",
                 key_hash=_hash(secret))
    db.session.add(key)
    db.session.flush()
    return key, secret


def customer_for_secret(secret: str) -> Customer | None:
    """The customer a live (unrevoked) key belongs to, recording its use; None otherwise."""
    if not secret.startswith(PREFIX):
        return None
    key = db.session.scalars(
        select(ApiKey).where(ApiKey.key_hash == _hash(secret), ApiKey.revoked_at.is_(None))
    ).first()
    if key is None:
        return None
    key.last_used_at = utcnow()
    return db.session.get(Customer, key.customer_id)


def revoke_api_key(key: ApiKey) -> None:
    key.revoked_at = utcnow()
