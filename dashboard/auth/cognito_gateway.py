"""AWS Cognito over OpenID Connect through Authlib's Flask client: redirect, verified claims, logout URL."""
from __future__ import annotations

from urllib.parse import urlencode, urlsplit

import requests
from authlib.integrations.flask_client import FlaskIntegration, FlaskOAuth2App, OAuthError
from flask import current_app
from joserfc.errors import JoseError

# OpenID Connect Discovery: RS256 is what a provider signs with when it advertises nothing.
DEFAULT_ALGORITHMS = ["RS256"]


class SignInRefused(Exception):
    """The provider's answer cannot be trusted or used; `message` says so to people."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class _CognitoApp(FlaskOAuth2App):
    def load_server_metadata(self):
        metadata = super().load_server_metadata()
        # Authlib hands the advertised algorithms to joserfc, which accepts unsigned tokens when a
        # provider lists "none": never trust that, whatever the discovery document says.
        advertised = metadata.get("id_token_signing_alg_values_supported") or DEFAULT_ALGORITHMS
        metadata["id_token_signing_alg_values_supported"] = [a for a in advertised if a.lower() != "none"]
        return metadata


def configured() -> bool:
    return bool(current_app.config.get("COGNITO_ISSUER") and current_app.config.get("COGNITO_CLIENT_ID"))


def _client() -> _CognitoApp:
    # One client per app (not the shared `oauth` registry, which caches one client per name for the
    # whole process): each app keeps its own provider, discovery document and keys.
    client = current_app.extensions.get("cognito")
    if client is None:
        config = current_app.config
        secret = config.get("COGNITO_CLIENT_SECRET")
        client = _CognitoApp(
            FlaskIntegration("cognito"), "cognito",
            client_id=config["COGNITO_CLIENT_ID"], client_secret=secret,
            server_metadata_url=f"{config['COGNITO_ISSUER']}/.well-known/openid-configuration",
            client_kwargs={"scope": config["COGNITO_SCOPE"], "code_challenge_method": "S256", "default_timeout": 10,
                           "token_endpoint_auth_method": "client_secret_basic" if secret else "none"},
        )
        current_app.extensions["cognito"] = client
    return client


def authorize_redirect(redirect_uri: str):
    """A redirect to the provider's sign-in page, with state, nonce and a PKCE challenge kept in the session."""
    try:
        return _client().authorize_redirect(redirect_uri)
    except (requests.RequestException, ValueError, RuntimeError) as error:  # unreachable, or no such endpoint
        current_app.logger.warning("Cognito discovery failed: %s", error)
        raise SignInRefused("The sign-in service is not reachable right now. Please try again shortly.") from None


def verified_claims() -> dict:
    """The ID token's verified claims, from the callback request; else SignInRefused.

    Authlib checks the state against the session, exchanges the code with the PKCE verifier, and
    verifies the ID token's signature (JWKS), iss, aud, exp, iat and nonce.
    """
    try:
        token = _client().authorize_access_token()
    except OAuthError as error:
        current_app.logger.warning("Cognito sign-in refused: %s %s", error.error, error.description)
        if error.error == "mismatching_state":
            raise SignInRefused("This sign-in link is not valid or was already used. Please sign in again.") from None
        raise SignInRefused("The sign-in service refused the sign-in. Please sign in again.") from None
    except JoseError as error:
        current_app.logger.warning("Cognito ID token refused: %s", error)
        raise SignInRefused("The sign-in service's answer could not be verified. Please sign in again.") from None
    except (requests.RequestException, ValueError, RuntimeError) as error:  # RuntimeError: no jwks_uri
        current_app.logger.warning("Cognito token exchange failed: %s", error)
        raise SignInRefused("The sign-in service is not reachable right now. Please try again shortly.") from None
    claims = token.get("userinfo")
    if not claims or not claims.get("sub"):
        # Authlib skips verification when there is no ID token; without one nobody is signed in.
        current_app.logger.warning("Cognito answered without an ID token")
        raise SignInRefused("The sign-in service's answer could not be verified. Please sign in again.")
    # The raw ID token is not kept: Cognito's /logout does not need it (a secret less at rest).
    return dict(claims)


def _hosted_ui_origin() -> str:
    """COGNITO_DOMAIN, else the origin of the discovery's authorization endpoint (Cognito serves /logout there)."""
    if current_app.config.get("COGNITO_DOMAIN"):
        return current_app.config["COGNITO_DOMAIN"]
    endpoint = urlsplit(_client().load_server_metadata().get("authorization_endpoint") or "")
    if endpoint.scheme not in {"http", "https"} or not endpoint.netloc:
        raise ValueError("the discovery document has no usable authorization_endpoint")
    return f"{endpoint.scheme}://{endpoint.netloc}"


def logout_url(return_to: str) -> str | None:
    """Cognito's /logout (AWS "Logout endpoint"): client_id and logout_uri, a registered sign-out URL.

    Not OIDC's end_session (id_token_hint, post_logout_redirect_uri), which Cognito does not accept.
    """
    try:
        origin = _hosted_ui_origin()
    except (requests.RequestException, ValueError, RuntimeError) as error:
        # The local session is already over; a provider that cannot be reached must not undo that.
        current_app.logger.warning("Cognito logout URL unavailable: %s", error)
        return None
    query = urlencode({"client_id": current_app.config["COGNITO_CLIENT_ID"], "logout_uri": return_to})
    return f"{origin}/logout?{query}"
