"""Sign-in through AWS Cognito's stand-in (npm oidc-provider) over HTTP: first sign-in, return, logout."""
from __future__ import annotations

import logging
from urllib.parse import parse_qs, urlsplit

import requests
from sqlalchemy import func, select

from dashboard.auth.models import Customer, LoginSession
from dashboard.extensions import db
from tests import factories
from tests.auth.conftest import CLIENT_ID, SIGNED_OUT, cognito_config, cognito_sign_in, provider_callback


def test_sign_in_page_offers_cognito_and_the_local_form_when_both_are_on(cognito_app):
    html = cognito_app.test_client().get("/auth/login").get_data(as_text=True)
    assert "Sign in with AWS Cognito" in html and 'name="password"' in html


def test_sign_in_page_goes_straight_to_cognito_when_local_sign_in_is_off(make_app, oidc_provider, db):
    app = make_app(**cognito_config(oidc_provider.issuer, LOCAL_LOGIN_ENABLED=False))
    client = app.test_client()
    response = client.get("/auth/login")
    assert response.status_code == 302 and response.headers["Location"].startswith(f"{oidc_provider.issuer}/oauth2/authorize")
    assert client.post("/auth/login", data={"email": "a@b.c", "password": "x"}).status_code == 404


def test_authorization_request_uses_pkce_state_nonce_and_scopes(cognito_app, oidc_provider):
    location = cognito_app.test_client().get("/auth/cognito").headers["Location"]
    query = parse_qs(urlsplit(location).query)
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert query["state"][0] and query["nonce"][0]
    assert query["scope"] == ["openid email profile"]
    assert query["redirect_uri"] == ["http://localhost/auth/callback"]
    assert query["client_id"] == [CLIENT_ID]


def test_a_new_business_signs_in_and_is_sent_to_onboarding_with_its_verified_email(cognito_app):
    client = cognito_app.test_client()
    response = cognito_sign_in(client, "newbiz@example.com")
    assert response.status_code == 302 and response.headers["Location"] == "/onboarding/profile"
    # Nothing is written until the business profile is saved.
    assert db.session.scalar(select(func.count()).select_from(Customer)) == 0
    page = client.get("/onboarding/profile").get_data(as_text=True)
    assert 'value="newbiz@example.com"' in page
    saved = client.post("/onboarding/profile", data={"name": "New Biz", "email": "newbiz@example.com",
                                                    "phone": "+44 20 7946 0958"})
    assert saved.headers["Location"] == "/onboarding/plan"
    db.session.expire_all()
    customer = db.session.scalars(select(Customer)).one()
    assert (customer.cognito_id, customer.onboarding_step, customer.phone) == ("newbiz@example.com", "plan", "+442079460958")
    login = db.session.scalars(select(LoginSession)).one()
    assert login.customer_id == customer.customer_id
    assert client.get("/").headers["Location"] == "/onboarding/plan"


def test_a_returning_business_lands_on_its_dashboard(cognito_app):
    factories.make_customer(name="Returning Co", cognito_id="returning")
    db.session.commit()
    client = cognito_app.test_client()
    response = cognito_sign_in(client, "returning")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    home = client.get("/")
    assert home.status_code == 200 and "Welcome back, Returning Co." in home.get_data(as_text=True)


def test_next_survives_the_trip_to_the_provider(cognito_app):
    factories.make_customer(cognito_id="nexter")
    db.session.commit()
    client = cognito_app.test_client()
    callback = provider_callback(client, "nexter", start="/auth/cognito?next=/agents/")
    assert client.get(callback).headers["Location"] == "/agents/"


def test_a_half_onboarded_business_resumes_at_its_step(cognito_app):
    factories.make_customer(cognito_id="halfway", onboarding_step="agent")
    db.session.commit()
    client = cognito_app.test_client()
    assert cognito_sign_in(client, "halfway").headers["Location"] == "/onboarding/agent"


def test_logout_ends_the_local_session_then_the_providers_through_cognitos_logout_endpoint(cognito_app, oidc_provider):
    factories.make_customer(cognito_id="leaver")
    db.session.commit()
    client, browser = cognito_app.test_client(), requests.Session()
    client.get(provider_callback(client, "leaver", browser=browser))
    copied = client.get_cookie("session").value

    response = client.post("/auth/logout")
    location = response.headers["Location"]
    # Without COGNITO_DOMAIN the hosted UI is where discovery's authorization endpoint is.
    assert location.startswith(f"{oidc_provider.issuer}/logout?")
    assert parse_qs(urlsplit(location).query) == {"client_id": [CLIENT_ID], "logout_uri": [SIGNED_OUT]}
    db.session.expire_all()
    assert db.session.scalars(select(LoginSession.revoked_at)).one() is not None
    assert client.get("/").status_code == 302

    # The provider ends its own session and sends the browser back to our signed-out page.
    back = browser.get(location, allow_redirects=False, timeout=10)
    assert back.status_code == 302 and back.headers["Location"] == SIGNED_OUT
    assert "You have signed out" in client.get("/auth/signed-out").get_data(as_text=True)
    assert 'name="login"' in _provider_page_for_a_new_sign_in(client, browser)  # asked to log in again

    # A copy of the cookie taken before logout no longer signs anybody in.
    thief = cognito_app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/").status_code == 302


def _provider_page_for_a_new_sign_in(client, browser: requests.Session) -> str:
    return browser.get(client.get("/auth/cognito").headers["Location"], timeout=10).text


def test_no_id_token_is_kept_at_rest(cognito_app):
    factories.make_customer(cognito_id="keeper")
    db.session.commit()
    client = cognito_app.test_client()
    cognito_sign_in(client, "keeper")
    assert "id_token" not in db.inspect(db.engine).get_columns("login_session").__repr__()
    assert "id_token" not in repr(db.session.scalars(select(LoginSession)).one().__dict__)


def test_the_provider_refuses_oidc_style_logout_so_a_regression_is_caught(oidc_provider):
    oidc_style = {"id_token_hint": "x.y.z", "post_logout_redirect_uri": SIGNED_OUT, "client_id": CLIENT_ID}
    refused = [
        oidc_style,
        {"client_id": CLIENT_ID},
        {"logout_uri": SIGNED_OUT},
        {"client_id": "someone-else", "logout_uri": SIGNED_OUT},
        {"client_id": CLIENT_ID, "logout_uri": SIGNED_OUT + "/"},
    ]
    for params in refused:
        response = requests.get(f"{oidc_provider.issuer}/logout", params=params, allow_redirects=False, timeout=10)
        assert response.status_code == 400, params


def test_logout_uses_the_hosted_ui_when_cognito_domain_is_set(make_app, oidc_provider, db):
    factories.make_customer(cognito_id="hosted")
    db.session.commit()
    app = make_app(**cognito_config(oidc_provider.issuer, COGNITO_DOMAIN="https://angelcx.auth.eu-west-1.amazoncognito.com"))
    client = app.test_client()
    cognito_sign_in(client, "hosted")
    location = client.post("/auth/logout").headers["Location"]
    assert location == ("https://angelcx.auth.eu-west-1.amazoncognito.com/logout?client_id=dashboard-client"
                        "&logout_uri=http%3A%2F%2Flocalhost%2Fauth%2Fsigned-out")


def test_a_replayed_code_is_refused(cognito_app):
    factories.make_customer(cognito_id="victim")
    db.session.commit()
    client = cognito_app.test_client()
    callback = provider_callback(client, "victim")
    before_callback = client.get_cookie("session").value  # holds the state, nonce and PKCE verifier
    assert client.get(callback).status_code == 302

    attacker = cognito_app.test_client()
    attacker.set_cookie("session", before_callback)
    response = attacker.get(callback)
    assert response.status_code == 400
    assert "refused the sign-in" in response.get_data(as_text=True)
    assert attacker.get("/").headers["Location"].startswith("/auth/login")


def test_signing_in_with_debug_logs_on_never_logs_the_pkce_verifier(make_app, oidc_provider, db, caplog):
    """Authlib logs "Using code_verifier: …" at DEBUG: with the app debugging, that secret reached the log."""
    app = make_app(**cognito_config(oidc_provider.issuer), DEBUG=True)
    caplog.set_level(logging.DEBUG)
    client = app.test_client()
    response = cognito_sign_in(client, "debugger@example.com")
    assert response.status_code == 302
    with client.session_transaction() as session:
        verifier_seen = [value for key, value in session.items() if "code_verifier" in str(value)]
    assert logging.getLogger().isEnabledFor(logging.DEBUG)  # debugging really is on
    assert "code_verifier" not in caplog.text and not [r for r in caplog.records if r.name.startswith("authlib")]
    assert verifier_seen == []  # and the finished sign-in keeps no verifier in the session
