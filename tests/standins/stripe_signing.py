"""Stripe-Signature headers for webhook bodies, computed exactly as Stripe signs them."""

import hashlib
import hmac
import time


def sign_payload(payload: bytes, secret: str, timestamp: int | None = None) -> str:
    """The Stripe-Signature header value "t=<ts>,v1=<hex HMAC-SHA256(secret, '<ts>.<payload>')>"."""
    signed_at = int(time.time()) if timestamp is None else timestamp
    signature = hmac.new(secret.encode(), f"{signed_at}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={signed_at},v1={signature}"
