"""Every untrustworthy answer from the provider is refused: a clear page, nobody signed in, nothing written."""
from __future__ import annotations

import time
from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import func, select

from dashboard.auth.models import Customer, LoginSession
from dashboard.extensions import db
from tests.auth.conftest import cognito_config


def callback_from(client) -> str:
    """Start sign-in; the forging issuer approves at once and names our callback with code and state."""
    authorize = client.get("/auth/cognito").headers["Location"]
    callback = requests.get(authorize, allow_redirects=False, timeout=10).headers["Location"]
    parts = urlsplit(callback)
    return f"{parts.path}?{parts.query}"


def assert_refused(client, response, message: str) -> None:
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "We could not sign you in" in html and message in html
    assert "Traceback" not in html
    assert client.get("/").headers["Location"].startswith("/auth/login")
    assert client.get("/onboarding/profile").headers["Location"] == "/auth/login"
    assert db.session.scalar(select(func.count()).select_from(Customer)) == 0
    assert db.session.scalar(select(func.count()).select_from(LoginSession)) == 0


def test_a_well_formed_token_from_the_same_issuer_signs_in(forged_app, forging_issuer):
    """The control: the refusals below are about the token, not the stand-in."""
    client = forged_app.test_client()
    response = client.get(callback_from(client))
    assert response.headers["Location"] == "/onboarding/profile"
    assert 'value="forged@example.com"' in client.get("/onboarding/profile").get_data(as_text=True)
    token_request = forging_issuer.token_requests[-1]
    assert token_request["grant_type"] == "authorization_code" and len(token_request["code_verifier"]) >= 43


UNVERIFIABLE = "could not be verified"
SCENARIOS = {
    "wrong audience": {"claims": {"aud": "someone-else"}},
    "wrong issuer": {"claims": {"iss": "https://cognito-idp.evil.example/pool"}},
    "expired": {"claims": {"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200}},
    "nonce mismatch": {"claims": {"nonce": "not-the-nonce-we-sent"}},
    "nonce missing": {"claims": {"nonce": None}},
    "unsigned (alg none)": {"alg": "none"},
    "signed with a key not in the JWKS": {"foreign_key": True},
    "no ID token at all": {"no_id_token": True},
}


@pytest.mark.parametrize("scenario", SCENARIOS.values(), ids=SCENARIOS.keys())
def test_untrustworthy_id_tokens_are_refused(forged_app, forging_issuer, scenario):
    forging_issuer.scenario = scenario
    client = forged_app.test_client()
    assert_refused(client, client.get(callback_from(client)), UNVERIFIABLE)


def test_alg_none_is_refused_even_when_the_provider_advertises_it(make_app, forging_issuer, db):
    forging_issuer.algorithms = ["none", "RS256"]
    forging_issuer.scenario = {"alg": "none"}
    app = make_app(**cognito_config(forging_issuer.issuer))
    client = app.test_client()
    assert_refused(client, client.get(callback_from(client)), UNVERIFIABLE)


def test_only_the_algorithms_the_provider_advertises_are_accepted(make_app, forging_issuer, db):
    forging_issuer.algorithms = ["ES256"]  # the token below is RS256, with a key the JWKS does publish
    app = make_app(**cognito_config(forging_issuer.issuer))
    client = app.test_client()
    assert_refused(client, client.get(callback_from(client)), UNVERIFIABLE)


def test_a_callback_without_state_is_refused(forged_app):
    client = forged_app.test_client()
    callback = callback_from(client)
    code = callback.split("code=")[1].split("&")[0]
    assert_refused(client, client.get(f"/auth/callback?code={code}"), "not valid or was already used")


def test_a_forged_state_is_refused(forged_app):
    client = forged_app.test_client()
    callback = callback_from(client)
    forged = callback.replace("state=", "state=forged")
    assert_refused(client, client.get(forged), "not valid or was already used")


def test_a_callback_started_in_another_browser_is_refused(forged_app):
    """Login CSRF: an attacker's code and state in the victim's browser."""
    attacker = forged_app.test_client()
    victim = forged_app.test_client()
    assert_refused(victim, victim.get(callback_from(attacker)), "not valid or was already used")


def test_a_replayed_state_is_refused(forged_app, forging_issuer):
    client = forged_app.test_client()
    callback = callback_from(client)
    assert client.get(callback).headers["Location"] == "/onboarding/profile"
    client.post("/auth/logout")
    assert_refused(client, client.get(callback), "not valid or was already used")


def test_a_replayed_code_is_refused_by_the_provider(forged_app):
    client = forged_app.test_client()
    callback = callback_from(client)
    holding_state = client.get_cookie("session").value
    client.get(callback)
    replay = forged_app.test_client()
    replay.set_cookie("session", holding_state)
    assert_refused(replay, replay.get(callback), "refused the sign-in")


def test_an_error_from_the_provider_is_shown_plainly(forged_app):
    client = forged_app.test_client()
    client.get("/auth/cognito")
    response = client.get("/auth/callback?error=access_denied&error_description=User+cancelled")
    assert_refused(client, response, "refused the sign-in")


def test_an_unreachable_provider_is_a_clear_503(make_app):
    app = make_app(**cognito_config("http://127.0.0.1:9"))
    response = app.test_client().get("/auth/cognito")
    assert response.status_code == 503
    assert "not reachable" in response.get_data(as_text=True)


def test_cognito_routes_are_404_when_cognito_is_not_configured(client):
    assert client.get("/auth/cognito").status_code == 404
    assert client.get("/auth/callback?code=x&state=y").status_code == 404
    assert "Sign in with AWS Cognito" not in client.get("/auth/login").get_data(as_text=True)

