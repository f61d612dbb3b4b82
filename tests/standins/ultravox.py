"""Ultravox stand-in: a Prism mock of the OpenAPI spec behind a recording, programmable proxy."""

from __future__ import annotations

import http.client
import json
import re
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from requests.structures import CaseInsensitiveDict

from .oidc_provider import NODE_MODULES, BackgroundProcess, free_port

# A copy of Ultravox's published OpenAPI document, kept here so a clone runs these tests as they are.
ULTRAVOX_SPEC = Path(__file__).resolve().parent / "specs" / "ultravox-openapi.yaml"
PRISM_BIN = NODE_MODULES / ".bin" / "prism"
PRISM_READY_TIMEOUT = 60.0

# Hop-by-hop headers (RFC 9110 7.6.1) and the ones each hop computes for itself.
_NOT_RELAYED = {
    "connection",
    "keep-alive",
    "proxy-authenticate",
    "proxy-authorization",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
}


@dataclass
class RecordedRequest:
    """One request as the proxy received it (recorded even when answered 401)."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: CaseInsensitiveDict
    json: Any


@dataclass
class _Override:
    """A canned answer programmed with `UltravoxStandin.respond`."""

    method: str
    pattern: re.Pattern[str]
    status: int
    json_body: Any
    headers: tuple[tuple[str, str], ...] = ()


class UltravoxStandin:
    """A running stand-in; point the app's Ultravox base URL at `base_url`."""

    def __init__(self, api_key: str, prism: BackgroundProcess, prism_port: int):
        self.api_key = api_key
        self.requests: list[RecordedRequest] = []
        self._prism = prism
        self._prism_port = prism_port
        self._overrides: list[_Override] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", free_port()), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="ultravox-standin", daemon=True)
        self._thread.start()
        self.base_url = f"http://127.0.0.1:{self._server.server_port}"

    def respond(self, method: str, path_regex: str, status: int, json_body: Any = None,
                headers: dict[str, str] | None = None) -> None:
        """Answer matching requests with `status` and `json_body` (no body if None) instead of Prism.

        The regex must match the whole path, or the whole path plus `?query` to single out
        one page of a paginated list; the most recently added matching override wins.
        """
        with self._lock:
            self._overrides.append(_Override(method.upper(), re.compile(path_regex), status, json_body,
                                             tuple((headers or {}).items())))

    def reset(self) -> None:
        """Forget recorded requests and overrides, so one running stand-in serves many tests."""
        with self._lock:
            self.requests.clear()
            self._overrides.clear()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()
        self._prism.stop()

    def _record(self, entry: RecordedRequest) -> None:
        with self._lock:
            self.requests.append(entry)

    def _override_for(self, method: str, path: str, target: str) -> _Override | None:
        with self._lock:
            for override in reversed(self._overrides):
                if override.method == method and (
                    override.pattern.fullmatch(path) or override.pattern.fullmatch(target)
                ):
                    return override
        return None

    def _forward(self, method: str, target: str, headers: dict[str, str], body: bytes):
        connection = http.client.HTTPConnection("127.0.0.1", self._prism_port, timeout=30)
        try:
            connection.request(method, target, body=body or None, headers=headers)
            response = connection.getresponse()
            return response.status, response.getheaders(), response.read()
        finally:
            connection.close()


def _handler_for(standin: UltravoxStandin) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _handle(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            url = urlsplit(self.path)
            try:
                parsed_json = json.loads(body) if body else None
            except ValueError:
                parsed_json = None
            standin._record(
                RecordedRequest(
                    method=self.command,
                    path=url.path,
                    query=parse_qs(url.query, keep_blank_values=True),
                    headers=CaseInsensitiveDict(self.headers.items()),
                    json=parsed_json,
                )
            )

            if self.headers.get("X-API-Key") != standin.api_key:
                self._send(
                    401,
                    [("Content-Type", "application/json")],
                    b'{"detail": "Invalid API key."}',
                )
                return
            override = standin._override_for(self.command, url.path, self.path)
            if override is not None:
                payload = b"" if override.json_body is None else json.dumps(override.json_body).encode()
                self._send(
                    override.status,
                    ([("Content-Type", "application/json")] if payload else []) + list(override.headers),
                    payload,
                )
                return
            headers = {k: v for k, v in self.headers.items() if k.lower() not in _NOT_RELAYED}
            status, response_headers, payload = standin._forward(self.command, self.path, headers, body)
            self._send(
                status,
                [(k, v) for k, v in response_headers if k.lower() not in _NOT_RELAYED],
                payload,
            )

        def _send(self, status: int, headers: list[tuple[str, str]], payload: bytes) -> None:
            self.send_response(status)
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

        def log_message(self, format, *args):
            """Keep test output clean; `standin.requests` is the log."""

    return Handler


def _wait_for_prism(prism: BackgroundProcess, port: int) -> None:
    deadline = time.monotonic() + PRISM_READY_TIMEOUT
    while time.monotonic() < deadline:
        if not prism.running():
            break
        try:
            # Any HTTP answer (even 401 without a key) means Prism has loaded the spec.
            requests.get(f"http://127.0.0.1:{port}/api/accounts/me", timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.2)
    details = prism.describe()
    prism.stop()
    raise RuntimeError(f"prism not answering (waited up to {PRISM_READY_TIMEOUT:.0f} s), {details}")


def start_ultravox(api_key: str) -> UltravoxStandin:
    """Start Prism on the Ultravox spec and the recording proxy in front of it."""
    if not ULTRAVOX_SPEC.is_file():
        raise FileNotFoundError(f"Ultravox OpenAPI spec not found at {ULTRAVOX_SPEC}")
    port = free_port()
    prism = BackgroundProcess([str(PRISM_BIN), "mock", str(ULTRAVOX_SPEC), "-h", "127.0.0.1", "-p", str(port)])
    _wait_for_prism(prism, port)
    try:
        return UltravoxStandin(api_key, prism, port)
    except BaseException:
        prism.stop()
        raise
