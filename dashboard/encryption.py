"""Secrets kept encrypted at rest (OAuth tokens, webhook signing secrets): Fernet through MultiFernet.

TOKEN_ENCRYPTION_KEY holds one Fernet key, or several separated by commas: the first encrypts, every one
decrypts. To rotate: put the new key first and keep the old one after it ("NEW,OLD"), run
`flask integrations rotate-key` (it re-encrypts every stored secret under NEW), then drop OLD. Without
TOKEN_ENCRYPTION_KEY a key is derived from SECRET_KEY (HKDF), so the default needs nothing.
"""
from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from flask import current_app

__all__ = ["InvalidToken", "decrypt", "encrypt", "parse_keys", "rotate"]


def parse_keys(value: str) -> list[Fernet]:
    """The Fernet keys in a TOKEN_ENCRYPTION_KEY value (comma-separated); ValueError when one is malformed."""
    keys = [part.strip() for part in value.split(",") if part.strip()]
    if not keys:
        raise ValueError("no key")
    return [Fernet(key.encode()) for key in keys]


def _box() -> MultiFernet:
    value = current_app.config.get("TOKEN_ENCRYPTION_KEY")
    if value:
        return MultiFernet(parse_keys(value if isinstance(value, str) else value.decode()))
    # The info string is the one webhook secrets were first encrypted with, so they stay readable.
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None,
                   info=b"angelcx webhook secrets").derive(str(current_app.config["SECRET_KEY"]).encode())
    return MultiFernet([Fernet(base64.urlsafe_b64encode(derived))])


def encrypt(plain: str) -> str:
    return _box().encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    """The plain text; InvalidToken when no configured key made it (or it was altered)."""
    return _box().decrypt(token.encode()).decode()


def rotate(token: str) -> str:
    """The same secret encrypted under the first key (readable by any configured key before)."""
    return _box().rotate(token.encode()).decode()
