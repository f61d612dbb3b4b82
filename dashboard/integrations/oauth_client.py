"""The apps' OAuth 2 providers, through Authlib: one Flask client registration per app (its catalog entry).

Each function here talks to a provider over HTTP: callers hold no database transaction open while they run.
"""
from __future__ import annotations

import hashlib
import json
import re

import requests
from authlib.integrations.flask_client import FlaskIntegration, FlaskOAuth2App, OAuthError
from authlib.integrations.requests_client import OAuth2Session
from flask import current_app, session

from dashboard.integrations.models import ThirdPartyApp

TIMEOUT = 10


class ProviderRefused(Exception):
    """The provider said no (an OAuth error); `message` is for people, `error` the OAuth error code."""

    def __init__(self, message: str, error: str = ""):
        super().__init__(message)
        self.message, self.error = message, error


class ProviderUnreachable(Exception):
    """The provider could not be reached or answered something that is not OAuth; `message` is for people."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def env_slug(slug: str) -> str:
    return slug.upper().replace("-", "_")


def credentials(app: ThirdPartyApp) -> dict | None:
    """The app's client id and secret from INTEGRATION_<SLUG>_CLIENT_ID/_SECRET, or None (not configured here)."""
    return (current_app.config.get("INTEGRATION_CLIENTS") or {}).get(env_slug(app.slug))


def scope_string(app: ThirdPartyApp) -> str:
    return (app.oauth.get("scope_separator") or " ").join(app.oauth["scopes"])


def _client(app: ThirdPartyApp) -> FlaskOAuth2App:
    """The app's Authlib client, built once per process for its current catalog entry and credentials."""
    creds = credentials(app)
    fingerprint = hashlib.sha256(json.dumps([app.oauth, creds], sort_keys=True).encode()).hexdigest()
    clients = current_app.extensions.setdefault("integration_oauth_clients", {})
    cached = clients.get(app.slug)
    if cached is None or cached[0] != fingerprint:
        oauth = app.oauth
        client_kwargs = {"scope": scope_string(app), "token_endpoint_auth_method": oauth["token_auth_method"],
                         "default_timeout": TIMEOUT}
        if oauth.get("pkce"):
            client_kwargs["code_challenge_method"] = "S256"
        name = f"integration_{env_slug(app.slug).lower()}"
        cached = (fingerprint, FlaskOAuth2App(
            FlaskIntegration(name), name, client_id=creds["client_id"], client_secret=creds["client_secret"],
            authorize_url=oauth["authorize_url"], access_token_url=oauth["token_url"],
            authorize_params=oauth.get("authorize_params") or None, client_kwargs=client_kwargs))
        clients[app.slug] = cached
    return cached[1]


def authorize_redirect(app: ThirdPartyApp, redirect_uri: str, state: str):
    """A redirect to the provider's consent page; state (and the PKCE verifier) kept in this browser's session."""
    return _client(app).authorize_redirect(redirect_uri, state=state)


def take_state_data(app: ThirdPartyApp, state: str) -> dict | None:
    """What authorize_redirect kept for `state` (redirect_uri, code_verifier), removed: a state works once."""
    framework = _client(app).framework
    data = framework.get_state_data(session, state)
    framework.clear_state_data(session, state)
    return data


def _raise_for(error: Exception, app: ThirdPartyApp, doing: str):
    if isinstance(error, OAuthError):
        current_app.logger.warning("Integration %s refused to %s: %s (%s)", app.slug, doing, error.error,
                                   (error.description or "")[:200])
        raise ProviderRefused(f"{app.name} refused to {doing} ({error.error}).", error.error or "") from None
    current_app.logger.warning("Integration %s unreachable to %s: %s", app.slug, doing, type(error).__name__)
    raise ProviderUnreachable(f"{app.name} could not be reached to {doing}. Please try again shortly.") from None


def exchange_code(app: ThirdPartyApp, state_data: dict, code: str) -> dict:
    """The token answer for an authorization code (with the PKCE verifier when one was made)."""
    params = {"code": code, "redirect_uri": state_data.get("redirect_uri")}
    if state_data.get("code_verifier"):
        params["code_verifier"] = state_data["code_verifier"]
    try:
        token = _client(app).fetch_access_token(**params)
    except (OAuthError, requests.RequestException, ValueError, KeyError) as error:
        _raise_for(error, app, "connect")
    if not isinstance(token, dict) or not token.get("access_token"):
        raise ProviderUnreachable(f"{app.name} answered without an access token.")
    return dict(token)


def granted_scopes(app: ThirdPartyApp, token: dict) -> set[str]:
    """The scopes the token carries; when the answer names none, those asked for (RFC 6749 section 5.1)."""
    scope = token.get("scope")
    if scope is None:
        return set(app.oauth["scopes"])
    if isinstance(scope, list | tuple):
        return set(scope)
    return {part for part in re.split(r"[ ,]+", str(scope)) if part}


def missing_scopes(app: ThirdPartyApp, token: dict) -> list[str]:
    needed = app.oauth.get("required_scopes") or app.oauth["scopes"]
    granted = granted_scopes(app, token)
    return [scope for scope in needed if scope not in granted]


def account(app: ThirdPartyApp, token: dict) -> dict:
    """The connected account (id, email, name) from the provider's userinfo endpoint, by the entry's field names."""
    url = app.oauth.get("userinfo_url")
    if not url:
        return {}
    try:
        response = requests.get(url, headers={"Authorization": f"Bearer {token['access_token']}",
                                              "Accept": "application/json"}, timeout=TIMEOUT)
        info = response.json() if response.ok else None
    except (requests.RequestException, ValueError):
        info = None
    if not isinstance(info, dict) or info.get("ok") is False:
        raise ProviderUnreachable(f"{app.name} did not say which account was connected. Please try again.")
    fields = {"id": "sub", "email": "email", "name": "name", **(app.oauth.get("account") or {})}
    found = {key: info.get(field) for key, field in fields.items() if info.get(field) not in (None, "")}
    return {key: str(value)[:200] for key, value in found.items()}


def _session(app: ThirdPartyApp) -> OAuth2Session:
    creds = credentials(app) or {}
    return OAuth2Session(creds.get("client_id"), creds.get("client_secret"),
                         token_endpoint_auth_method=app.oauth["token_auth_method"],
                         revocation_endpoint_auth_method=app.oauth["token_auth_method"], default_timeout=TIMEOUT)


def refresh(app: ThirdPartyApp, refresh_token: str) -> dict:
    """A new token answer for `refresh_token`; ProviderRefused when the provider will not (reconnect needed)."""
    if credentials(app) is None:
        raise ProviderUnreachable(f"{app.name} is not configured on this server.")
    try:
        with _session(app) as client:
            token = client.refresh_token(app.oauth["token_url"], refresh_token=refresh_token)
    except (OAuthError, requests.RequestException, ValueError, KeyError) as error:
        _raise_for(error, app, "refresh the connection")
    if not token.get("access_token"):
        raise ProviderRefused(f"{app.name} refused to refresh the connection.")
    return dict(token)


def revoke(app: ThirdPartyApp, token: str, hint: str) -> None:
    """RFC 7009 revocation of `token` at the entry's revoke_url; ProviderRefused/Unreachable when it fails."""
    try:
        with _session(app) as client:
            response = client.revoke_token(app.oauth["revoke_url"], token=token, token_type_hint=hint)
    except (OAuthError, requests.RequestException, ValueError) as error:
        _raise_for(error, app, "revoke the connection")
    if response.status_code != 200:
        raise ProviderRefused(f"{app.name} did not confirm the revocation ({response.status_code}).")
