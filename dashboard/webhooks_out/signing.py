"""Webhook secrets: generated, kept encrypted (Fernet), and used to sign each body like Stripe does."""
from __future__ import annotations

import hashlib
import hmac
import secrets
import time

from dashboard import encryption

SIGNATURE_HEADER = "AngelCX-Signature"
SECRET_PREFIX = "whsec_"


def new_secret() -> str:
    """A fresh signing secret, shown to the business once."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def encrypt(secret: str) -> str:
    return encryption.encrypt(secret)


def decrypt(token: str) -> str:
    return encryption.decrypt(token)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of "timestamp.body" under `secret`."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signature_header(secrets_in_use: list[str], body: bytes, timestamp: int | None = None) -> str:
    """`t=<unix>,v1=<hex>[,v1=<hex>]`: one v1 for each secret still signing (the previous one during rotation)."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    return ",".join([f"t={timestamp}"] + [f"v1={signature(secret, timestamp, body)}" for secret in secrets_in_use])
