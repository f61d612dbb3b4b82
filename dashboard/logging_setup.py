"""Structured logs (structlog): JSON lines in production, a request id on every line, personal data redacted."""
from __future__ import annotations

import logging
import re
import sys
import uuid

import structlog
from flask import Flask, g, request
from flask.logging import default_handler

HANDLER_NAME = "dashboard-structlog"
REQUEST_ID_HEADER = "X-Request-ID"
# An incoming id is kept only when it is a plain token (a proxy's or a load balancer's); anything else is
# replaced, so a client cannot write arbitrary text (newlines, markup, personal data) into every log line.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,128}")

# Defence in depth: the code logs ids, not people, but exception messages can carry what the database or a
# library echoed back (PostgreSQL's "Key (email)=(…)", SQLAlchemy's "[parameters: …]").
REDACTIONS = (
    (re.compile(r"\[parameters: .*?\](?=\n|$)", re.S), "[parameters: redacted]"),
    (re.compile(r"(Key \([^)]*\))=\(.*?\)(?= already exists| is not present|\n|$)"), r"\1=(redacted)"),
    (re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"), "[email]"),
    (re.compile(r"\+\d[\d ().-]{6,}\d"), "[phone]"),
)


# Libraries whose DEBUG lines carry secrets, kept at INFO even when the app debugs: Authlib prints the PKCE
# code verifier and OAuth 1 request tokens; urllib3 the URLs it fetches, query strings (keys, codes) included.
QUIET_LIBRARIES = ("authlib", "urllib3")


def redact(text: str) -> str:
    for pattern, replacement in REDACTIONS:
        text = pattern.sub(replacement, text)
    return text


def _redact_event(_logger, _method, event: dict) -> dict:
    return {key: redact(value) if isinstance(value, str) else value for key, value in event.items()}


def _wants_json(app: Flask) -> bool:
    chosen = (app.config.get("LOG_FORMAT") or "").lower()
    if chosen in {"json", "console"}:
        return chosen == "json"
    return not (app.debug or app.testing)


def _formatter(as_json: bool) -> structlog.stdlib.ProcessorFormatter:
    # Runs for every record, from structlog or from plain `logging` (Flask, Werkzeug, libraries) alike.
    shared = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.stdlib.ExtraAdder(),
    ]
    renderer = (structlog.processors.JSONRenderer() if as_json
                else structlog.dev.ConsoleRenderer(colors=False, exception_formatter=structlog.dev.plain_traceback))
    return structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            # Tracebacks become text first, so redaction sees the exception's message too.
            structlog.processors.format_exc_info,
            _redact_event,
            renderer,
        ],
    )


def configure_logging(app: Flask) -> None:
    """One handler on the root logger for the whole process; request ids bound per request."""
    structlog.configure(
        processors=[structlog.contextvars.merge_contextvars, structlog.stdlib.filter_by_level,
                    structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(HANDLER_NAME)
    handler.setFormatter(_formatter(_wants_json(app)))
    root = logging.getLogger()
    for existing in [h for h in root.handlers if h.get_name() == HANDLER_NAME]:
        root.removeHandler(existing)  # create_app() may run more than once in a process (tests, CLI)
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if app.debug else logging.INFO)
    for name in QUIET_LIBRARIES:
        logging.getLogger(name).setLevel(logging.INFO)
    app.logger.removeHandler(default_handler)  # the root handler formats Flask's records too
    _register_request_id(app)


def _request_id() -> str:
    incoming = request.headers.get(REQUEST_ID_HEADER, "")
    return incoming if SANE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex


def _register_request_id(app: Flask) -> None:
    @app.before_request
    def bind_request_id():
        g.request_id = _request_id()
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=g.request_id)

    @app.after_request
    def send_request_id(response):
        if "request_id" in g:
            response.headers[REQUEST_ID_HEADER] = g.request_id
        return response

    @app.teardown_request
    def unbind_request_id(_error=None):
        # After the error handlers have logged, so an unhandled error's line still has its id.
        structlog.contextvars.clear_contextvars()
