"""The one HTTP client for Ultravox's REST API (X-API-Key), used by each domain's Ultravox gateway."""
from __future__ import annotations

import requests
from flask import current_app

from dashboard import metrics

TIMEOUT = (5, 20)


class UltravoxError(Exception):
    """Ultravox could not be reached or refused the request; `message` is safe to show."""

    def __init__(self, message: str, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.status = status


def configured() -> bool:
    return bool(current_app.config.get("ULTRAVOX_API_KEY"))


def request_ultravox(method: str, path: str, **kwargs) -> requests.Response:
    """Send one request to `{ULTRAVOX_API_BASE}{path}`; raises UltravoxError on failure or a non-2xx answer."""
    if not configured():
        raise UltravoxError("Ultravox is not configured (set ULTRAVOX_API_KEY).")
    url = path if path.startswith("http") else f"{current_app.config['ULTRAVOX_API_BASE']}{path}"
    headers = {"X-API-Key": current_app.config["ULTRAVOX_API_KEY"], **kwargs.pop("headers", {})}
    try:
        with metrics.timed_call("ultravox"):
            response = requests.request(method, url, headers=headers, timeout=TIMEOUT, **kwargs)
    except requests.RequestException as error:
        raise UltravoxError(f"Ultravox could not be reached ({type(error).__name__}).") from error
    if response.status_code >= 400:
        raise UltravoxError(f"Ultravox answered {response.status_code}: {response.text[:300]}", response.status_code)
    return response
