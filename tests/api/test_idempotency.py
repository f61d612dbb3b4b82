"""Idempotency-Key on the API's POSTs (Stripe's semantics), and a database outage answered 503 with Retry-After."""
from __future__ import annotations

import hashlib
import json
import sqlite3
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from dashboard.api.models import IdempotencyKey
from dashboard.auth.api_keys import create_api_key
from dashboard.conversations.models import Conversation
from dashboard.crm.models import Lead
from dashboard.database import utcnow
from dashboard.extensions import db
from tests import factories
from tests.conversations.test_chat_api import chat


@pytest.fixture
def agent(customer):
    return factories.make_agent(customer)


@pytest.fixture
def post(client, customer):
    _, secret = create_api_key(customer, "retrying client")
    db.session.commit()

    def send(path, body, key=None, secret=secret):
        headers = {"Authorization": f"Bearer {secret}"}
        if key is not None:
            headers["Idempotency-Key"] = key
        return client.post(f"/api/v1{path}", data=json.dumps(body), content_type="application/json",
                           headers=headers)

    return send


def stored(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_retried_chat_with_the_same_key_is_stored_once_and_answered_the_same(post, agent):
    body = chat(agent)
    first = post("/conversations", body, key="chat-7f3a")
    again = post("/conversations", body, key="chat-7f3a")
    assert first.status_code == again.status_code == 201
    assert again.get_data() == first.get_data() and again.content_type == first.content_type
    assert again.headers["Idempotent-Replayed"] == "true" and "Idempotent-Replayed" not in first.headers
    assert stored(Conversation) == 1


def test_the_same_key_with_another_body_is_a_422(post, agent):
    assert post("/conversations", chat(agent), key="chat-1").status_code == 201
    reused = post("/conversations", chat(agent, count=2), key="chat-1")
    assert reused.status_code == 422 and reused.content_type == "application/problem+json"
    assert "another request" in reused.json["detail"]
    assert stored(Conversation) == 1


def test_a_key_whose_first_request_is_still_running_is_a_409(post, agent, customer):
    body = chat(agent)
    # The row as the first request wrote it before running: its fingerprint (method, path, body), no answer yet.
    fingerprint = hashlib.sha256(b"\n".join([b"POST", b"/api/v1/conversations", json.dumps(body).encode()]))
    db.session.add(IdempotencyKey(customer_id=customer.customer_id, key="chat-in-flight",
                                  request_hash=fingerprint.hexdigest(), created_at=utcnow()))
    db.session.commit()
    busy = post("/conversations", body, key="chat-in-flight")
    assert busy.status_code == 409 and busy.headers["Retry-After"] == "1"
    assert stored(Conversation) == 0


def test_a_request_that_failed_validation_keeps_no_answer_for_its_key(post, agent):
    broken = post("/conversations", {**chat(agent), "agent_id": "three"}, key="chat-2")
    assert broken.status_code == 422
    assert post("/conversations", chat(agent), key="chat-2").status_code == 201
    assert stored(Conversation) == 1


def test_keys_belong_to_one_customer(post, agent, other_customer):
    _, other_secret = create_api_key(other_customer, "theirs")
    other_agent = factories.make_agent(other_customer)
    db.session.commit()
    assert post("/conversations", chat(agent), key="shared-key").status_code == 201
    theirs = post("/conversations", chat(other_agent), key="shared-key", secret=other_secret)
    assert theirs.status_code == 201 and "Idempotent-Replayed" not in theirs.headers
    assert stored(Conversation) == 2


def test_keys_are_kept_24_hours(post, agent, customer):
    body = chat(agent)
    assert post("/conversations", body, key="chat-old").status_code == 201
    db.session.execute(db.update(IdempotencyKey).values(created_at=utcnow() - timedelta(hours=24, minutes=1)))
    db.session.commit()
    assert "Idempotent-Replayed" not in post("/conversations", body, key="chat-old").headers
    assert stored(Conversation) == 2 and stored(IdempotencyKey) == 1


@pytest.mark.parametrize("key", ["", "x" * 256, "caf\u00e9", "tab\there"])
def test_a_malformed_key_is_a_400(post, agent, key):
    response = post("/conversations", chat(agent), key=key)
    assert response.status_code == 400 and "Idempotency-Key" in response.json["detail"]
    assert stored(Conversation) == 0


def test_creating_a_lead_replays_its_location(post):
    body = {"contact": {"first_name": "Ava", "last_name": "Nguyen", "email": "ava@example.net"}}
    first = post("/customers", body, key="lead-1")
    again = post("/customers", body, key="lead-1")
    assert first.status_code == again.status_code == 201
    assert again.headers["Location"] == first.headers["Location"] and again.json == first.json
    assert stored(Lead) == 1


class DatabaseLock:
    """Another connection that holds the conversations' table (PostgreSQL) or the whole file (SQLite) locked."""

    def __init__(self, url: str):
        self.url = make_url(url)
        self.sqlite = self.url.get_backend_name() == "sqlite"
        # How long the app waits for a lock before the database gives up with an OperationalError.
        self.engine_options = {"connect_args": {"timeout": 0.2} if self.sqlite else {"options": "-c lock_timeout=200"}}
        self.holder = None

    def __enter__(self):
        if self.sqlite:
            self.holder = sqlite3.connect(self.url.database, isolation_level=None)
            self.holder.execute("BEGIN EXCLUSIVE")
        else:
            self.engine = create_engine(self.url)
            self.holder = self.engine.connect()
            self.transaction = self.holder.begin()
            self.holder.execute(text("LOCK TABLE session IN ACCESS EXCLUSIVE MODE"))
        return self

    def __exit__(self, *_):
        if self.sqlite:
            self.holder.execute("ROLLBACK")
            self.holder.close()
        else:
            self.transaction.rollback()
            self.holder.close()
            self.engine.dispose()


def test_a_database_outage_is_a_503_with_retry_after_and_the_retry_stores_the_chat_once(make_app, migrated):
    lock = DatabaseLock(migrated)
    app = make_app(SQLALCHEMY_ENGINE_OPTIONS=lock.engine_options)
    with app.app_context():
        customer = factories.make_customer()
        agent = factories.make_agent(customer)
        _, secret = create_api_key(customer, "retrying client")
        body = chat(agent)
        db.session.commit()
        db.session.remove()
    client = app.test_client()
    headers = {"Authorization": f"Bearer {secret}", "Idempotency-Key": "chat-outage"}
    with lock:
        response = client.post("/api/v1/conversations", json=body, headers=headers)
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert response.content_type == "application/problem+json" and "nothing was changed" in response.json["detail"]

    retried = client.post("/api/v1/conversations", json=body, headers=headers)
    assert retried.status_code == 201 and "Idempotent-Replayed" not in retried.headers
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Conversation)) == 1
