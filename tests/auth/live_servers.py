"""Real servers a test starts and stops itself: a redis-server on its own port, and gunicorn with several workers."""
from __future__ import annotations

import os
import re
import sys
import tempfile
import time
from pathlib import Path

import redis
import requests

from tests.standins.oidc_provider import BackgroundProcess, free_port

REPO_ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).parent / "gunicorn"
READY_TIMEOUT = 20.0


def _wait(ready, what: str, process: BackgroundProcess) -> None:
    deadline = time.monotonic() + READY_TIMEOUT
    while time.monotonic() < deadline:
        if not process.running():
            break
        if ready():
            return
        time.sleep(0.05)
    details = process.describe()
    process.stop()
    raise RuntimeError(f"{what} not ready (waited up to {READY_TIMEOUT:.0f} s), {details}")


class RedisServer:
    """A throw-away redis-server (no persistence) on a free port; stop() and start() simulate an outage."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process: BackgroundProcess | None = None
        self.start()

    def _answers(self) -> bool:
        try:
            return bool(redis.Redis(port=self.port, socket_connect_timeout=0.2).ping())
        except redis.RedisError:
            return False

    def start(self) -> None:
        self.process = BackgroundProcess(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1",
                                          "--save", "", "--appendonly", "no"])
        _wait(self._answers, "redis-server", self.process)

    def stop(self) -> None:
        if self.process is not None:
            self.process.stop()
            self.process = None


class GunicornServer:
    """`gunicorn wsgi:app` with `workers` processes, configured only through the environment, as in production."""

    def __init__(self, environment: dict[str, str], workers: int = 2):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._instance = tempfile.TemporaryDirectory(prefix="gunicorn-instance-")
        env = {**os.environ, "FLASK_SKIP_DOTENV": "1", "INSTANCE_PATH": self._instance.name,
               "SECRET_KEY": "live-server-secret-key-0123456789", **environment}
        # BackgroundProcess runs in tests/standins; gunicorn must find wsgi.py at the repository root.
        self.process = BackgroundProcess([str(GUNICORN), "--chdir", str(REPO_ROOT), "--workers", str(workers),
                                          "--bind", f"127.0.0.1:{self.port}", "--timeout", "30", "wsgi:app"],
                                         env=env)
        _wait(self._answers, "gunicorn", self.process)

    def _answers(self) -> bool:
        try:
            return requests.get(f"{self.url}/auth/login", timeout=1).status_code == 200
        except requests.RequestException:
            return False

    def stop(self) -> None:
        self.process.stop()
        self._instance.cleanup()


def sign_in_attempt(base_url: str, email: str, password: str) -> int:
    """One browser's sign-in (its own connection and CSRF token, so attempts spread over the workers); the status."""
    with requests.Session() as browser:
        page = browser.get(f"{base_url}/auth/login", timeout=10).text
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        return browser.post(f"{base_url}/auth/login", data={"csrf_token": token, "email": email, "password": password},
                            allow_redirects=False, timeout=10).status_code
