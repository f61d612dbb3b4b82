"""Fixtures for the auth domain: the Cognito stand-in (npm oidc-provider), a token-forging issuer, apps wired to them."""
from __future__ import annotations

import secrets
from urllib.parse import urlsplit

import pytest
import requests

from tests.standins.forging_issuer import ForgingIssuer
from tests.standins.oidc_provider import (
    NPM_INSTALL_HINT,
    login_with_dev_interaction,
    node_modules_ready,
    start_oidc_provider,
)

CLIENT_ID = "dashboard-client"
CLIENT_SECRET = secrets.token_hex(16)
# The test client's requests are for http://localhost, so that is where the provider sends the browser back.
CALLBACK = "http://localhost/auth/callback"
SIGNED_OUT = "http://localhost/auth/signed-out"


@pytest.fixture(scope="session")
def oidc_provider():
    if not node_modules_ready():
        pytest.skip(f"the Cognito stand-in's npm packages are missing: run `{NPM_INSTALL_HINT}`")
    provider = start_oidc_provider(CLIENT_ID, CLIENT_SECRET, [CALLBACK], [SIGNED_OUT])
    yield provider
    provider.stop()


def cognito_config(issuer: str, **overrides) -> dict:
    return {"COGNITO_ISSUER": issuer, "COGNITO_CLIENT_ID": CLIENT_ID, "COGNITO_CLIENT_SECRET": CLIENT_SECRET,
            **overrides}


# These apps are not pushed: each request gets its own app context (and flask.g, where Flask-Login keeps
# the signed-in user), as in production. Tests read and arrange the database through the `db` fixture's
# app, so they commit what they arrange and expire what they read.


@pytest.fixture
def cognito_app(make_app, oidc_provider, db):
    """An app signing in through the oidc-provider stand-in (local sign-in stays on)."""
    return make_app(**cognito_config(oidc_provider.issuer))


@pytest.fixture
def fresh_client(make_app, db):
    """A client of an app of its own, so nothing about the signed-in user survives between requests."""
    db.session.commit()
    return make_app().test_client()


@pytest.fixture
def forging_issuer():
    issuer = ForgingIssuer(CLIENT_ID)
    yield issuer
    issuer.stop()


@pytest.fixture
def forged_app(make_app, forging_issuer, db):
    return make_app(**cognito_config(forging_issuer.issuer))


def provider_callback(client, login: str, start: str = "/auth/cognito", browser: requests.Session | None = None) -> str:
    """Start sign-in in the app, log in at the provider like a browser; the callback path the provider returns."""
    response = client.get(start)
    assert response.status_code == 302, response.get_data(as_text=True)
    callback = login_with_dev_interaction(browser or requests.Session(), response.headers["Location"], login)
    assert callback.startswith(CALLBACK + "?"), callback
    parts = urlsplit(callback)
    return f"{parts.path}?{parts.query}"


def cognito_sign_in(client, login: str):
    """The whole sign-in over HTTP; returns the app's answer to the callback."""
    return client.get(provider_callback(client, login))
