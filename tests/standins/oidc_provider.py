"""Launcher and dev-login helper for the oidc-provider based Cognito stand-in."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests

STANDINS_DIR = Path(__file__).resolve().parent
NODE_MODULES = STANDINS_DIR / "node_modules"
PROVIDER_SCRIPT = STANDINS_DIR / "oidc" / "provider.mjs"
NPM_INSTALL_HINT = "npm ci --prefix tests/standins --no-audit --no-fund"

READY_TIMEOUT = 20.0
_MAX_LOGIN_STEPS = 20


def node_modules_ready() -> bool:
    """Whether the stand-ins' npm packages are installed (see NPM_INSTALL_HINT)."""
    return (NODE_MODULES / "oidc-provider" / "package.json").is_file() and (NODE_MODULES / ".bin" / "prism").exists()


def free_port() -> int:
    """A loopback TCP port that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class BackgroundProcess:
    """A child in its own session, its output kept in temporary files for diagnostics."""

    def __init__(self, command: list[str], env: dict[str, str] | None = None):
        self._log_dir = tempfile.TemporaryDirectory(prefix="standin-")
        self._stdout_path = Path(self._log_dir.name) / "stdout.log"
        self._stderr_path = Path(self._log_dir.name) / "stderr.log"
        # Files rather than pipes: nobody drains a pipe after startup, and a full one blocks the child.
        with (
            open(self._stdout_path, "wb") as stdout,
            open(self._stderr_path, "wb") as stderr,
        ):
            self.popen = subprocess.Popen(
                command,
                cwd=STANDINS_DIR,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=stdout,
                stderr=stderr,
                start_new_session=True,
            )

    def stdout(self) -> str:
        return self._stdout_path.read_text(errors="replace")

    def stderr(self) -> str:
        return self._stderr_path.read_text(errors="replace")

    def running(self) -> bool:
        return self.popen.poll() is None

    def describe(self) -> str:
        """Exit status and output, for error messages."""
        status = "running" if self.running() else f"exited with {self.popen.returncode}"
        return f"{status}\n--- stdout ---\n{self.stdout()}\n--- stderr ---\n{self.stderr()}"

    def stop(self) -> None:
        if self.running():
            try:
                os.killpg(self.popen.pid, signal.SIGTERM)
                self.popen.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.popen.pid, signal.SIGKILL)
                self.popen.wait()
            except ProcessLookupError:
                self.popen.wait()
        self._log_dir.cleanup()


@dataclass
class OIDCProvider:
    """A running Cognito stand-in; `issuer` is also the base URL of every endpoint."""

    issuer: str
    process: BackgroundProcess

    def stop(self) -> None:
        self.process.stop()


def start_oidc_provider(
    client_id: str,
    client_secret: str,
    redirect_uris: list[str],
    post_logout_redirect_uris: list[str],
) -> OIDCProvider:
    """Start the provider with one confidential client and wait until it listens."""
    port = free_port()
    env = {
        **os.environ,
        "PORT": str(port),
        "CLIENT_ID": client_id,
        "CLIENT_SECRET": client_secret,
        "REDIRECT_URIS": ",".join(redirect_uris),
        "POST_LOGOUT_REDIRECT_URIS": ",".join(post_logout_redirect_uris),
    }
    process = BackgroundProcess(["node", str(PROVIDER_SCRIPT), str(port)], env=env)
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        for line in process.stdout().splitlines():
            if line.startswith("READY "):
                return OIDCProvider(issuer=line.split(" ", 1)[1].strip(), process=process)
        if not process.running():
            break
        time.sleep(0.05)
    details = process.describe()
    process.stop()
    raise RuntimeError(f"oidc-provider not ready (waited up to {READY_TIMEOUT:.0f} s), {details}")


class _FormParser(HTMLParser):
    """Collects the first form's action and hidden inputs."""

    def __init__(self):
        super().__init__()
        self.action: str | None = None
        self.hidden: dict[str, str] = {}
        self._in_first_form = False

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form" and self.action is None:
            self.action = attributes.get("action") or ""
            self._in_first_form = True
        elif tag == "input" and self._in_first_form and attributes.get("type") == "hidden":
            self.hidden[attributes.get("name") or ""] = attributes.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_first_form = False


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc


def login_with_dev_interaction(http_session: requests.Session, authorize_url: str, login: str) -> str:
    """Drive the provider's dev login (and consent) forms like a browser would.

    Returns the first redirect that leaves the provider's origin, i.e. the client's
    redirect_uri with `code` and `state` (or `error`), without requesting it.
    """
    provider_origin = _origin(authorize_url)
    response = http_session.get(authorize_url, allow_redirects=False, timeout=10)
    for _ in range(_MAX_LOGIN_STEPS):
        if response.is_redirect:
            location = urljoin(response.url, response.headers["Location"])
            if _origin(location) != provider_origin:
                return location
            response = http_session.get(location, allow_redirects=False, timeout=10)
            continue
        form = _FormParser()
        form.feed(response.text)
        if response.status_code != 200 or form.action is None:
            raise RuntimeError(
                f"unexpected provider page {response.status_code} at {response.url}: {response.text[:2000]}"
            )
        data = dict(form.hidden)
        if data.get("prompt") == "login":
            data.update(login=login, password="any-password")
        response = http_session.post(
            urljoin(response.url, form.action),
            data=data,
            allow_redirects=False,
            timeout=10,
        )
    raise RuntimeError(f"no redirect to the client after {_MAX_LOGIN_STEPS} steps, last page {response.url}")
