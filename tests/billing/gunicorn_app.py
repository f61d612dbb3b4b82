"""The app under gunicorn with several worker processes, for tests that need truly concurrent requests."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
START_TIMEOUT_SECONDS = 30


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_healthy(base_url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{log.read_text()}")
        try:
            if requests.get(f"{base_url}/healthz", timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"gunicorn did not answer /healthz within {START_TIMEOUT_SECONDS} s:\n{log.read_text()}")


@contextmanager
def gunicorn_app(database_url: str, workdir: Path, workers: int, **environment: str):
    """Serve wsgi:app with `workers` processes on a free port; yields its base URL, stops it on exit."""
    port = free_port()
    log = workdir / "gunicorn.log"
    env = {"PATH": os.environ["PATH"], "FLASK_SKIP_DOTENV": "1", "DATABASE_URL": database_url,
           "INSTANCE_PATH": str(workdir / "instance"), "SECRET_KEY": "test-secret-key-0123456789",
           **environment}
    with log.open("w") as output:
        # Its own session, so stopping it stops every worker with it.
        process = subprocess.Popen([str(GUNICORN), "--workers", str(workers), "--bind", f"127.0.0.1:{port}",
                                    "--log-level", "warning", "wsgi:app"],
                                   cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True)
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(base_url, process, log)
        yield base_url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
