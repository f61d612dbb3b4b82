"""Local sign-in is rate limited per client address, in memory or in Redis, answering 429 with a clear message."""
import uuid

import pytest
import redis

from dashboard.extensions import db
from tests import factories

REDIS_URL = "redis://127.0.0.1:6379/15"


def _attempts(client, email: str, count: int):
    return [client.post("/auth/login", data={"email": email, "password": "wrong"}).status_code for _ in range(count)]


def test_too_many_sign_in_attempts_get_a_429_with_a_clear_message(make_app, customer):
    db.session.commit()
    client = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute").test_client()
    assert _attempts(client, customer.email, 3) == [401, 401, 401]
    response = client.post("/auth/login", data={"email": customer.email, "password": factories.PASSWORD})
    assert response.status_code == 429
    assert "Too many sign-in attempts" in response.get_data(as_text=True)
    # Reading the sign-in page is not limited; only attempts are.
    assert client.get("/auth/login").status_code == 200


def test_the_limit_is_per_client_address(make_app, customer):
    db.session.commit()
    client = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="2 per minute").test_client()
    _attempts(client, customer.email, 2)
    elsewhere = client.post("/auth/login", data={"email": customer.email, "password": factories.PASSWORD},
                            environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert elsewhere.status_code == 302


def test_the_limit_is_shared_through_redis(make_app, customer):
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        pytest.skip("Redis is not reachable at 127.0.0.1:6379")
    db.session.commit()
    prefix = f"test-{uuid.uuid4().hex}"  # parallel runs never share counters
    settings = {"RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": REDIS_URL, "RATELIMIT_KEY_PREFIX": prefix,
                "LOGIN_RATE_LIMIT": "2 per minute"}
    first = make_app(**settings).test_client()
    assert _attempts(first, customer.email, 2) == [401, 401]
    # Another app (another worker process in production) sees the same count.
    second = make_app(**settings).test_client()
    assert second.post("/auth/login", data={"email": customer.email, "password": "wrong"}).status_code == 429
    keys = redis.Redis.from_url(REDIS_URL).keys(f"*{prefix}*")
    assert keys
    redis.Redis.from_url(REDIS_URL).delete(*keys)
