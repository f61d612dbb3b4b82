"""The third-party apps' OAuth 2 authorization server (oidc-provider, oidc/oauth_apps.mjs): launcher and helpers."""
from __future__ import annotations

import json
import os
import re
import time
from dataclasses import dataclass
from urllib.parse import urljoin

import requests

from tests.standins.oidc_provider import STANDINS_DIR, BackgroundProcess, free_port

SCRIPT = STANDINS_DIR / "oidc" / "oauth_apps.mjs"
INTROSPECTION_SECRET = "api-standin-secret"


@dataclass
class OAuthServer:
    issuer: str
    process: BackgroundProcess

    @property
    def authorize_url(self) -> str:
        return f"{self.issuer}/auth"

    @property
    def token_url(self) -> str:
        return f"{self.issuer}/token"

    @property
    def revoke_url(self) -> str:
        return f"{self.issuer}/token/revocation"

    @property
    def userinfo_url(self) -> str:
        return f"{self.issuer}/me"

    def introspect(self, token: str) -> dict:
        """RFC 7662: whether `token` is live, as the API stand-ins ask it."""
        answer = requests.post(f"{self.issuer}/token/introspection", data={"token": token},
                               auth=("api-standin", INTROSPECTION_SECRET), timeout=10)
        answer.raise_for_status()
        return answer.json()

    def fail_next_token_request(self) -> None:
        """The token endpoint's next answer is a 500 with an HTML page."""
        requests.post(f"{self.issuer}/__fail", timeout=10).raise_for_status()

    def delay_token_answers(self, milliseconds: int) -> None:
        """The token endpoint answers `milliseconds` late from now on (0: at once), so concurrent refreshes overlap."""
        requests.post(f"{self.issuer}/__delay", params={"ms": milliseconds}, timeout=10).raise_for_status()

    def stop(self) -> None:
        self.process.stop()


def start_oauth_server(clients: list[dict], redirect_uris: list[str], scopes: list[str],
                       access_token_ttl: int = 3600, token_extras: dict | None = None,
                       short_ttl: dict[str, int] | None = None) -> OAuthServer:
    port = free_port()
    env = {**os.environ, "PORT": str(port), "CLIENTS": json.dumps(clients), "REDIRECT_URIS": ",".join(redirect_uris),
           "SCOPES": " ".join(scopes), "ACCESS_TOKEN_TTL": str(access_token_ttl),
           "INTROSPECTION_SECRET": INTROSPECTION_SECRET, "TOKEN_EXTRAS": json.dumps(token_extras or {}),
           "SHORT_TTL_CLIENTS": ",".join(f"{client}:{seconds}" for client, seconds in (short_ttl or {}).items())}
    process = BackgroundProcess(["node", str(SCRIPT), str(port)], env=env)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        for line in process.stdout().splitlines():
            if line.startswith("READY "):
                return OAuthServer(issuer=line.split(" ", 1)[1].strip(), process=process)
        if not process.running():
            break
        time.sleep(0.05)
    details = process.describe()
    process.stop()
    raise RuntimeError(f"oauth_apps stand-in not ready: {details}")


_CANCEL = re.compile(r'href="([^"]*/abort)"')


def deny_consent(http_session: requests.Session, authorize_url: str) -> str:
    """Follow the provider's login page's "Cancel" (the user declines); the redirect back to the client."""
    response = http_session.get(authorize_url, allow_redirects=True, timeout=10)
    match = _CANCEL.search(response.text)
    if match is None:
        raise RuntimeError(f"no Cancel link on {response.url}: {response.text[:500]}")
    answer = http_session.get(urljoin(response.url, match.group(1)), allow_redirects=False, timeout=10)
    while answer.is_redirect and answer.headers["Location"].startswith(authorize_url.split("/auth")[0]):
        answer = http_session.get(urljoin(answer.url, answer.headers["Location"]), allow_redirects=False, timeout=10)
    return urljoin(answer.url, answer.headers["Location"])
