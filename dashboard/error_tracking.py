"""Sentry, when SENTRY_DSN is set: unhandled errors of requests and jobs, with personal data scrubbed."""
from __future__ import annotations

import structlog
from flask import Flask

from dashboard.logging_setup import redact

# Parts of an event that can hold what a person typed or who they are: dropped whole, not redacted.
DROPPED_REQUEST_PARTS = ("data", "cookies", "query_string", "env")
KEPT_HEADERS = {"user-agent", "content-type", "content-length", "accept", "hx-request", "x-request-id"}


def _scrub(value):
    """Every string in the event through the logs' redaction (emails, phones, SQL parameters)."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: _scrub(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(item) for item in value]
    return value


def before_send(event: dict, _hint: dict) -> dict:
    """Tag the event with the request id the logs carry, and leave out personal data and message content."""
    request_id = structlog.contextvars.get_contextvars().get("request_id")
    if request_id:
        event.setdefault("tags", {})["request_id"] = request_id
    event.pop("user", None)
    request = event.get("request")
    if isinstance(request, dict):
        for part in DROPPED_REQUEST_PARTS:
            request.pop(part, None)
        headers = request.get("headers") or {}
        request["headers"] = {name: value for name, value in headers.items() if name.lower() in KEPT_HEADERS}
    for exception in (event.get("exception") or {}).get("values") or []:
        for frame in (exception.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)  # a frame's locals may hold a message's text or a visitor's details
    return _scrub(event)


def init_app(app: Flask) -> None:
    """Start Sentry with the Flask and RQ integrations when SENTRY_DSN is configured; nothing otherwise."""
    dsn = app.config.get("SENTRY_DSN")
    if not dsn:
        return
    import sentry_sdk
    from sentry_sdk.integrations.flask import FlaskIntegration
    from sentry_sdk.integrations.rq import RqIntegration

    sentry_sdk.init(
        dsn=dsn,
        integrations=[FlaskIntegration(), RqIntegration()],
        environment=app.config.get("SENTRY_ENVIRONMENT") or "production",
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        traces_sample_rate=0.0,  # errors only: latency is what /metrics is for
        before_send=before_send,
    )
