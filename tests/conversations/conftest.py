"""Fixtures for the conversations tests: signed Ultravox webhooks and a SQL statement counter."""
from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime

import pytest

from tests.querycount import counting_queries

WEBHOOK_SECRET = "whsec-test-0123456789"


def sign(body: bytes, timestamp: str, secret: str = WEBHOOK_SECRET) -> str:
    return hmac.new(secret.encode(), body + timestamp.encode(), hashlib.sha256).hexdigest()


@pytest.fixture
def post_webhook(client):
    """POST an Ultravox event signed as Ultravox signs it (or with the given timestamp/signature)."""

    def post(event_body: dict, timestamp: str | None = None, signature: str | None = None):
        body = json.dumps(event_body).encode()
        timestamp = timestamp or datetime.now(UTC).isoformat()
        return client.post("/webhooks/ultravox", data=body, content_type="application/json", headers={
            "X-Ultravox-Webhook-Timestamp": timestamp,
            "X-Ultravox-Webhook-Signature": signature if signature is not None else sign(body, timestamp),
        })

    return post


@pytest.fixture
def count_queries(db):
    """`with count_queries() as statements:` collects every SQL statement the block sends."""
    return counting_queries
