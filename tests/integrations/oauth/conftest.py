"""The apps' OAuth provider (npm oidc-provider with rotating refresh tokens and revocation) and their APIs'
stand-ins, with an app whose catalog points the three shipped apps (Google Calendar, HubSpot, Slack) at them."""
from __future__ import annotations

import copy
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import requests
from cryptography.fernet import Fernet

from dashboard.integrations.catalog_file import load_catalog
from dashboard.integrations.catalog_sync import sync_catalog
from tests.standins.app_apis import AppAPIs
from tests.standins.oauth_apps import start_oauth_server
from tests.standins.oidc_provider import NPM_INSTALL_HINT, login_with_dev_interaction, node_modules_ready

CATALOG = Path(__file__).resolve().parents[3] / "catalog.yaml"
TEST_CALLBACK = "http://localhost/integrations/oauth/callback"
CLIENTS = {
    "google-calendar": {"client_id": "gcal-client", "client_secret": "gcal-secret"},
    "hubspot": {"client_id": "hubspot-client", "client_secret": "hubspot-secret"},
    "slack": {"client_id": "slack-client", "client_secret": "slack-secret"},
}
SLACK_CHANNEL = {"incoming_webhook": {"channel": "#front-desk", "channel_id": "C0FRONT",
                                      "configuration_url": "https://acme-support.slack.com/services/B0HOOK"}}
# Slack's first access token runs out in seconds at the stand-in, so a test can wait for it to be dead at the
# provider and see the next use refresh it (refreshed ones live an hour).
SLACK_TOKEN_SECONDS = 3
ENCRYPTION_KEY = Fernet.generate_key().decode()


def provider_scopes() -> list[str]:
    data = load_catalog(CATALOG)
    scopes = {"openid", "email", "profile"}
    for app in data["apps"]:
        scopes.update((app.get("oauth") or {}).get("scopes", []))
    return sorted(scopes)


def start_standins(redirect_uris: list[str]):
    """The OAuth provider (one client per app, with the catalog's auth methods) and the APIs' stand-in."""
    data = load_catalog(CATALOG)
    methods = {app["slug"]: app["oauth"]["token_auth_method"] for app in data["apps"] if app.get("oauth")}
    server = start_oauth_server(
        [{**CLIENTS[slug], "token_endpoint_auth_method": methods[slug]} for slug in CLIENTS],
        redirect_uris, provider_scopes(), token_extras={"slack-client": SLACK_CHANNEL},
        short_ttl={"slack-client": SLACK_TOKEN_SECONDS})
    apis = AppAPIs(server.introspect, {slug: client["client_id"] for slug, client in CLIENTS.items()})
    return server, apis


def standin_catalog(server, apis) -> dict:
    """catalog.yaml with the three apps' OAuth endpoints and APIs pointed at the stand-ins."""
    data = copy.deepcopy(load_catalog(CATALOG))
    userinfo = {"google-calendar": server.userinfo_url, "hubspot": f"{apis.base}/hubspot/account-info/v3/details",
                "slack": f"{apis.base}/slack/api/auth.test"}
    api_base = {"google-calendar": f"{apis.base}/google/calendar/v3", "hubspot": f"{apis.base}/hubspot",
                "slack": f"{apis.base}/slack/api"}
    for app in data["apps"]:
        if app["slug"] in CLIENTS:
            oauth = app["oauth"]
            oauth.update(authorize_url=server.authorize_url, token_url=server.token_url,
                         userinfo_url=userinfo[app["slug"]], api_base=api_base[app["slug"]])
            if "revoke_url" in oauth:
                oauth["revoke_url"] = server.revoke_url
            oauth["scope_separator"] = " "  # oidc-provider reads scopes space-separated (Slack's are comma-separated)
            oauth["required_scopes"] = [s for s in oauth["scopes"] if s not in ("openid", "email")]
    return data


def integration_settings() -> dict:
    return {"INTEGRATION_CLIENTS": {slug.upper().replace("-", "_"): creds for slug, creds in CLIENTS.items()},
            "SAFE_HTTP_ALLOWED_HOSTS": ["127.0.0.1"], "TOKEN_ENCRYPTION_KEY": ENCRYPTION_KEY}


@pytest.fixture(scope="session")
def standins():
    if not node_modules_ready():
        pytest.skip(f"stand-in npm packages missing: run `{NPM_INSTALL_HINT}`")
    server, apis = start_standins([TEST_CALLBACK])
    yield server, apis
    apis.stop()
    server.stop()


@pytest.fixture
def oauth_server(standins):
    return standins[0]


@pytest.fixture
def apis(standins):
    standins[1].reset()
    return standins[1]


@pytest.fixture
def app(make_app, standins):
    """The app with the three apps' credentials, its catalog at the stand-ins, loopback allowed for their APIs."""
    app = make_app(**integration_settings())
    with app.app_context():
        sync_catalog(standin_catalog(*standins))
        from dashboard.extensions import db

        db.session.commit()
        yield app


def connect_flow(client, agent_id: int, slug: str, login: str = "owner@acme.example"):
    """Press Connect, consent at the provider like a browser would; the callback URL the provider redirects to."""
    response = client.post(f"/agents/{agent_id}/integrations/{slug}/connect")
    assert response.status_code == 302, response.get_data(as_text=True)
    return login_with_dev_interaction(requests.Session(), response.headers["Location"], login)


def callback_path(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"
