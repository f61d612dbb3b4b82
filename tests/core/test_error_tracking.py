"""Sentry: an unhandled error reaches the error tracker with the request id from the logs and no personal data."""
from __future__ import annotations

import gzip
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import sentry_sdk

from dashboard.access import public
from tests.live_servers import wait_for

VISITOR_EMAIL = "jane.visitor@example.com"
VISITOR_PHONE = "+1 415 555 0100"
MESSAGE = "my card number is on the back of the letter"
COOKIE = "session=signed-in-browser-cookie"


class SentryStandIn(ThreadingHTTPServer):
    """Receives Sentry envelopes at /api/<project>/envelope/ and keeps every item, as Sentry's ingest would."""

    def __init__(self):
        super().__init__(("127.0.0.1", 0), _EnvelopeHandler)
        self.items: list[dict] = []
        self.raw: list[bytes] = []

    @property
    def dsn(self) -> str:
        return f"http://public-key@127.0.0.1:{self.server_address[1]}/1"

    def events(self) -> list[dict]:
        return [item for item in self.items if "exception" in item]


class _EnvelopeHandler(BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if self.headers.get("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        self.server.raw.append(body)
        lines = body.split(b"\n")
        # An envelope: its header line, then pairs of item header and item payload.
        for payload in lines[2::2]:
            if payload.strip():
                self.server.items.append(json.loads(payload))
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        """The stand-in stays quiet; the test reads what it received."""


@pytest.fixture
def sentry():
    server = SentryStandIn()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    sentry_sdk.get_client().close()
    sentry_sdk.init()  # no DSN: later tests report nothing anywhere
    server.shutdown()
    server.server_close()


def test_an_unhandled_error_reaches_sentry_with_the_request_id_and_no_personal_data(make_app, sentry):
    app = make_app(SENTRY_DSN=sentry.dsn, PROPAGATE_EXCEPTIONS=False)

    @app.post("/test-only/crash")
    @public
    def crash():
        raise RuntimeError(f"could not follow up with {VISITOR_EMAIL} at {VISITOR_PHONE}")

    response = app.test_client().post(f"/test-only/crash?email={VISITOR_EMAIL}", data={"message": MESSAGE},
                                      headers={"X-Request-ID": "req-0123456789abcdef", "Cookie": COOKIE})
    assert response.status_code == 500
    sentry_sdk.flush(timeout=5)
    events = wait_for(sentry.events, 5, "the error reaching the Sentry stand-in")

    assert len(events) == 1
    event = events[0]
    assert event["tags"]["request_id"] == "req-0123456789abcdef" == response.headers["X-Request-ID"]
    assert event["exception"]["values"][-1]["type"] == "RuntimeError"
    assert event["exception"]["values"][-1]["value"] == "could not follow up with [email] at [phone]"
    assert "user" not in event
    assert "data" not in event["request"] and "cookies" not in event["request"]
    assert "Cookie" not in event["request"]["headers"]
    everything = b"".join(sentry.raw).decode()
    for personal in (VISITOR_EMAIL, VISITOR_PHONE, MESSAGE, COOKIE, "jane.visitor"):
        assert personal not in everything


def test_nothing_is_sent_without_a_dsn(make_app, sentry):
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.get("/test-only/crash")
    @public
    def crash():
        raise RuntimeError("nobody is told")

    assert app.test_client().get("/test-only/crash").status_code == 500
    sentry_sdk.flush(timeout=2)
    assert sentry.items == []
