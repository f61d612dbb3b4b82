"""Webhook secrets: generated, kept encrypted (Fernet), and used to sign each body like Stripe does."""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

SIGNATURE_HEADER = "AngelCX-Signature"
SECRET_PREFIX = "whsec_"


def _fernet() -> Fernet:
    """TOKEN_ENCRYPTION_KEY when set, else a key derived from SECRET_KEY (HKDF), so the default needs nothing."""
    key = current_app.config.get("TOKEN_ENCRYPTION_KEY")
    if key:
        return Fernet(key.encode() if isinstance(key, str) else key)
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                   info=b"angelcx webhook secrets").derive(str(current_app.config["SECRET_KEY"]).encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def new_secret() -> str:
    """A fresh signing secret, shown to the business once."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def encrypt(secret: str) -> str:
    return _fernet().encrypt(secret.encode()).decode()


def decrypt(token: str) -> str:
    return _fernet().decrypt(token.encode()).decode()


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of "timestamp.body" under `secret`."""
    return hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()


def signature_header(secrets_in_use: list[str], body: bytes, timestamp: int | None = None) -> str:
    """`t=<unix>,v1=<hex>[,v1=<hex>]`: one v1 for each secret still signing (the previous one during rotation)."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    return ",".join([f"t={timestamp}"] + [f"v1={signature(secret, timestamp, body)}" for secret in secrets_in_use])
