"""Pytest fixtures for the stand-ins, shared by every test folder (registered in tests/conftest.py)."""
from __future__ import annotations

import pytest

from tests.auth.live_servers import RedisServer
from tests.live_servers import S3Server
from tests.standins.oidc_provider import NPM_INSTALL_HINT, node_modules_ready
from tests.standins.stripe_server import StripeStandin
from tests.standins.ultravox import start_ultravox

ULTRAVOX_KEY = "uv-test-key"


@pytest.fixture(scope="session")
def ultravox_server():
    """One Ultravox stand-in (Prism on the OpenAPI spec behind a recording proxy) for the whole run."""
    if not node_modules_ready():
        pytest.skip(f"stand-in npm packages missing: run `{NPM_INSTALL_HINT}`")
    standin = start_ultravox(ULTRAVOX_KEY)
    yield standin
    standin.stop()


@pytest.fixture
def ultravox(ultravox_server):
    """The Ultravox stand-in with no recorded requests and no overrides left by an earlier test."""
    ultravox_server.reset()
    yield ultravox_server
    ultravox_server.reset()


@pytest.fixture
def stripe_standin():
    """A fresh Stripe stand-in (its objects are per test)."""
    with StripeStandin() as standin:
        yield standin


@pytest.fixture(scope="session")
def s3_server():
    """One local S3 server (moto in server mode) for the whole run; each test takes a bucket of its own."""
    server = S3Server()
    server.server.start()
    yield server
    server.server.stop()


@pytest.fixture
def s3_bucket(s3_server) -> dict:
    """The STORAGE_* settings of a new, empty bucket on the local S3 server."""
    return s3_server.new_bucket()


@pytest.fixture(scope="session")
def redis_url():
    """A redis-server of this run's own on a free port (no persistence), for tests that need RQ or shared limits."""
    server = RedisServer()
    yield server.url
    server.stop()
