"""Local sign-in is rate limited per client address, shared by every worker through Redis, and keeps answering when Redis is down."""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from dashboard.extensions import db
from tests import factories
from tests.auth.live_servers import GunicornServer, RedisServer, sign_in_attempt


def _attempts(client, email: str, count: int):
    return [client.post("/auth/login", data={"email": email, "password": "wrong"}).status_code for _ in range(count)]


@pytest.fixture
def redis_server():
    server = RedisServer()
    yield server
    server.stop()


@pytest.fixture
def live_app(migrated, db, redis_server):
    """Two gunicorn workers on the test database sharing the test's own Redis, configured from the environment."""
    server = GunicornServer({"DATABASE_URL": migrated, "REDIS_URL": redis_server.url,
                             "LOGIN_RATE_LIMIT": "10 per minute"}, workers=2)
    yield server
    server.stop()


def test_too_many_sign_in_attempts_get_a_429_with_a_clear_message(make_app, customer):
    db.session.commit()
    client = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute").test_client()
    assert _attempts(client, customer.email, 3) == [401, 401, 401]
    response = client.post("/auth/login", data={"email": customer.email, "password": factories.PASSWORD})
    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.get_data(as_text=True)
    assert 0 < int(response.headers["Retry-After"]) <= 60  # when the minute's window lets the next one in
    # Reading the sign-in page is not limited; only attempts are.
    assert client.get("/auth/login").status_code == 200


def test_the_limit_is_per_client_address(make_app, customer):
    db.session.commit()
    client = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="2 per minute").test_client()
    _attempts(client, customer.email, 2)
    elsewhere = client.post("/auth/login", data={"email": customer.email, "password": factories.PASSWORD},
                            environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert elsewhere.status_code == 302


def test_two_workers_sharing_redis_let_only_the_limit_through(live_app):
    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(lambda _: sign_in_attempt(live_app.url, "nobody@example.com", "wrong"), range(20)))
    # 10 per minute for the address, whichever worker answers: not 10 per worker.
    assert sorted(statuses) == [401] * 10 + [429] * 10


def test_sign_in_keeps_answering_while_redis_is_down_and_limits_in_memory(live_app, redis_server, customer):
    db.session.commit()
    assert sign_in_attempt(live_app.url, customer.email, "wrong") == 401
    redis_server.stop()

    started = time.monotonic()
    assert sign_in_attempt(live_app.url, customer.email, factories.PASSWORD) == 302
    statuses = [sign_in_attempt(live_app.url, customer.email, "wrong") for _ in range(30)]
    assert time.monotonic() - started < 20  # short socket timeouts: nobody waits on a dead Redis
    assert set(statuses) <= {401, 429}
    # Each worker counts for itself meanwhile (at most 10 each), so attempts are still limited.
    assert statuses.count(401) <= 2 * 10 and statuses.count(429) >= 10

    redis_server.start()
    assert sign_in_attempt(live_app.url, customer.email, "wrong") in {401, 429}
