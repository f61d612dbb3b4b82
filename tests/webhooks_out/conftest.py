"""A local receiving server that verifies AngelCX signatures, answers errors on demand and can time out."""
from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests import factories


class Receiver:
    """Records each POST with whether its signature verified under `secrets`; answers `answers` in turn, then 200."""

    def __init__(self):
        self.received: list[dict] = []
        self.secrets: list[str] = []
        self.answers: list[int | str] = []  # a status, or "hang" to answer after the client's timeout
        self.reply: bytes | None = None  # the body of every answer, when set
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                header = self.headers.get("AngelCX-Signature", "")
                receiver.received.append({"body": json.loads(body), "header": header,
                                          "verified_by": receiver.verified_by(header, body)})
                answer = receiver.answers.pop(0) if receiver.answers else 200
                if answer == "hang":
                    time.sleep(11)
                    answer = 200
                reply = receiver.reply or ((b"x" * 3000) if answer >= 500 else b'{"ok":true}')
                self.send_response(answer)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}/hooks"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def verified_by(self, header: str, body: bytes) -> list[str]:
        """Which known secrets produced one of the header's v1 signatures (as the README's snippet checks)."""
        parts = [part.split("=", 1) for part in header.split(",")]
        timestamp = next(value for key, value in parts if key == "t")
        signatures = [value for key, value in parts if key == "v1"]
        return [secret for secret in self.secrets if any(hmac.compare_digest(
            hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest(), signature)
            for signature in signatures)]


@pytest.fixture
def receiver():
    server = Receiver()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


@pytest.fixture
def app(make_app):
    app = make_app(SAFE_HTTP_ALLOWED_HOSTS=["127.0.0.1"])
    with app.app_context():
        yield app


@pytest.fixture
def signed_in(login_as, customer):
    return login_as(customer)


@pytest.fixture
def agent(customer):
    return factories.make_agent(customer)
