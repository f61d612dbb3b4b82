"""Self-test of the Cognito stand-in: discovery, code + PKCE flow, ID token, userinfo, code replay."""

import secrets
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.common.security import generate_token
from authlib.integrations.requests_client import OAuth2Session
from joserfc import jwt
from joserfc.jwk import KeySet

from .oidc_provider import (
    NPM_INSTALL_HINT,
    login_with_dev_interaction,
    node_modules_ready,
    start_oidc_provider,
)

pytestmark = pytest.mark.skipif(
    not node_modules_ready(),
    reason=f"stand-in npm packages missing: run `{NPM_INSTALL_HINT}`",
)

CLIENT_ID = "dashboard-client"
# Alphanumeric so that HTTP Basic needs no form-encoding of the credentials.
CLIENT_SECRET = secrets.token_hex(16)
REDIRECT_URI = "http://127.0.0.1:5999/auth/callback"
POST_LOGOUT_REDIRECT_URI = "http://127.0.0.1:5999/"


@pytest.fixture(scope="module")
def provider():
    running = start_oidc_provider(CLIENT_ID, CLIENT_SECRET, [REDIRECT_URI], [POST_LOGOUT_REDIRECT_URI])
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def discovery(provider):
    response = requests.get(f"{provider.issuer}/.well-known/openid-configuration", timeout=10)
    response.raise_for_status()
    return response.json()


def test_discovery_uses_cognito_paths(provider, discovery):
    assert discovery["issuer"] == provider.issuer
    assert provider.issuer.startswith("http://127.0.0.1:")
    assert discovery["authorization_endpoint"] == f"{provider.issuer}/oauth2/authorize"
    assert discovery["token_endpoint"] == f"{provider.issuer}/oauth2/token"
    assert discovery["userinfo_endpoint"] == f"{provider.issuer}/oauth2/userInfo"
    assert discovery["jwks_uri"] == f"{provider.issuer}/.well-known/jwks.json"
    assert "end_session_endpoint" not in discovery  # as Cognito: its /logout is not OIDC's
    assert discovery["code_challenge_methods_supported"] == ["S256"]


def test_authorization_code_flow_with_pkce(provider, discovery):
    client = OAuth2Session(
        CLIENT_ID,
        CLIENT_SECRET,
        scope="openid email profile",
        redirect_uri=REDIRECT_URI,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_post",
    )
    code_verifier = generate_token(48)
    nonce = generate_token(20)
    authorize_url, state = client.create_authorization_url(
        discovery["authorization_endpoint"], code_verifier=code_verifier, nonce=nonce
    )

    browser = requests.Session()
    callback = login_with_dev_interaction(browser, authorize_url, "alice")
    assert callback.startswith(f"{REDIRECT_URI}?")

    token = client.fetch_token(
        discovery["token_endpoint"],
        authorization_response=callback,
        state=state,
        code_verifier=code_verifier,
    )

    jwks = requests.get(discovery["jwks_uri"], timeout=10).json()
    id_token = jwt.decode(token["id_token"], KeySet.import_key_set(jwks), algorithms=["RS256"])
    jwt.JWTClaimsRegistry(
        iss={"essential": True, "value": provider.issuer},
        aud={"essential": True, "value": CLIENT_ID},
        nonce={"essential": True, "value": nonce},
    ).validate(id_token.claims)
    assert id_token.claims["sub"] == "alice"
    assert id_token.claims["email"] == "alice@example.com"
    assert id_token.claims["email_verified"] is True
    assert id_token.claims["cognito:username"] == "alice"

    userinfo = client.get(discovery["userinfo_endpoint"], timeout=10)
    assert userinfo.status_code == 200
    assert userinfo.json()["sub"] == "alice"
    assert userinfo.json()["email"] == "alice@example.com"

    # The replay uses client_secret_basic, so a refusal also shows that method authenticates.
    code = parse_qs(urlsplit(callback).query)["code"][0]
    replay = requests.post(
        discovery["token_endpoint"],
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": code_verifier,
        },
        auth=(CLIENT_ID, CLIENT_SECRET),
        timeout=10,
    )
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"


def test_email_login_with_client_secret_basic(provider, discovery):
    client = OAuth2Session(
        CLIENT_ID,
        CLIENT_SECRET,
        scope="openid email",
        redirect_uri=REDIRECT_URI,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",
    )
    code_verifier = generate_token(48)
    authorize_url, state = client.create_authorization_url(
        discovery["authorization_endpoint"], code_verifier=code_verifier
    )
    callback = login_with_dev_interaction(requests.Session(), authorize_url, "bob@angelcx.test")
    token = client.fetch_token(
        discovery["token_endpoint"],
        authorization_response=callback,
        state=state,
        code_verifier=code_verifier,
    )
    claims = jwt.decode(
        token["id_token"],
        KeySet.import_key_set(requests.get(discovery["jwks_uri"], timeout=10).json()),
    ).claims
    assert claims["email"] == "bob@angelcx.test"
