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
    """Records each POST with whether its signature verified under `secrets`; answers `answers` in turn, then 200
    (or 503 to the first `fail_each_event` posts of each event id), and deduplicates by event id."""

    def __init__(self):
        self.received: list[dict] = []
        self.secrets: list[str] = []
        self.answers: list[int | str] = []  # a status, or "hang" to answer after the client's timeout
        self.reply: bytes | None = None  # the body of every answer, when set
        self.answer_after = 0.0  # seconds each answer takes
        self.fail_each_event = 0  # answer 503 to the first N posts of every event id, then 200
        self.processed: list[str] = []  # event ids acted on: once each, as a receiver deduplicating by id does
        self.duplicates: list[str] = []  # event ids that arrived again after they were acted on
        self.overlaps: list[str] = []  # event ids posted while a post of the same id was still being answered
        self.in_flight: set[str] = set()
        self.lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                header = self.headers.get("AngelCX-Signature", "")
                answer = receiver.answer({"body": json.loads(body), "header": header,
                                          "verified_by": receiver.verified_by(header, body)})
                if answer == "hang":
                    time.sleep(11)
                    answer = 200
                time.sleep(receiver.answer_after)
                receiver.in_flight.discard(json.loads(body)["id"])
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

    def answer(self, hit: dict) -> int | str:
        """Record the post; its status (or "hang"). A 2xx acts on the event unless its id was acted on before."""
        event_id = hit["body"]["id"]
        with self.lock:
            self.received.append(hit)
            if event_id in self.in_flight:
                self.overlaps.append(event_id)
            self.in_flight.add(event_id)
            if self.answers:
                answer = self.answers.pop(0)
            else:
                tries = sum(1 for hit in self.received if hit["body"]["id"] == event_id)
                answer = 503 if tries <= self.fail_each_event else 200
            if answer == 200 or (isinstance(answer, int) and 200 <= answer < 300):
                (self.duplicates if event_id in self.processed else self.processed).append(event_id)
            return answer

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
