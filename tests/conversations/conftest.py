"""Fixtures for the conversations tests: signed Ultravox webhooks, the stand-ins, and a SQL statement counter."""
from __future__ import annotations

import hashlib
import hmac
import json
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
from sqlalchemy import event

from tests.standins.oidc_provider import NPM_INSTALL_HINT, node_modules_ready

WEBHOOK_SECRET = "whsec-test-0123456789"
ULTRAVOX_KEY = "uv-test-key"


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


@pytest.fixture(scope="session")
def ultravox():
    if not node_modules_ready():
        pytest.skip(f"stand-in npm packages missing: run `{NPM_INSTALL_HINT}`")
    from tests.standins.ultravox import start_ultravox

    standin = start_ultravox(ULTRAVOX_KEY)
    yield standin
    standin.stop()


@pytest.fixture
def count_queries(db):
    """`with count_queries() as statements:` collects every SQL statement the block sends."""

    @contextmanager
    def counting():
        statements: list[str] = []

        def record(conn, cursor, statement, parameters, context, executemany):
            statements.append(statement)

        event.listen(db.engine, "before_cursor_execute", record)
        try:
            yield statements
        finally:
            event.remove(db.engine, "before_cursor_execute", record)

    return counting
