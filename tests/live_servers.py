"""Real servers a test starts on ports of its own: redis-server (stopped and started again at will) and gunicorn."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests
from redis import Redis
from redis.exceptions import RedisError

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, timeout: float, what: str, interval: float = 0.1):
    """Poll `condition` until it returns something truthy; fail the test after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"{what} did not happen within {timeout} s")


class RedisServer:
    """A redis-server without persistence on its own port: stop() loses everything, as a crashed Redis does."""

    def __init__(self, directory: Path):
        self.port, self.directory, self.process = free_port(), directory, None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def ping(self) -> bool:
        try:
            return Redis.from_url(self.url, socket_connect_timeout=0.5).ping()
        except RedisError:
            return False

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(self.directory)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(self.ping, 10, "redis-server starting")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(10)
            self.process = None


def app_environment(database_url: str, instance: Path, **settings) -> dict:
    """The environment a separate process (gunicorn, the worker, flask) builds the app from."""
    env = {**os.environ, "DATABASE_URL": database_url, "FLASK_SKIP_DOTENV": "1", "INSTANCE_PATH": str(instance),
           "SECRET_KEY": "live-server-test-secret-key"}
    env.update({name: str(value) for name, value in settings.items()})
    return env


def start_worker(env: dict, log: Path) -> subprocess.Popen:
    """`python -m dashboard.jobs` (what `make worker` runs), its output in `log`."""
    return subprocess.Popen([sys.executable, "-m", "dashboard.jobs"], cwd=ROOT, env=env,
                            stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)


def start_gunicorn(env: dict, log: Path, workers: int = 2, target: str = "wsgi:app",
                   ready_within: float = 30) -> tuple[subprocess.Popen, str]:
    """`gunicorn -w N wsgi:app` (or another app `target`) on a free port; the process and its base URL once it answers."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}", "--timeout", "60",
         target], cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT, start_new_session=True)
    base = f"http://127.0.0.1:{port}"

    def answers():
        try:
            return requests.get(f"{base}/healthz", timeout=1).status_code < 500
        except requests.RequestException:
            return False

    wait_for(answers, ready_within, "gunicorn answering")
    return process, base


def stop(*processes: subprocess.Popen) -> None:
    """SIGTERM to every process at once (each shuts down gracefully, side by side), SIGKILL to any alive 15 s later."""
    running = [process for process in processes if process.poll() is None]
    for process in running:
        process.terminate()
    deadline = time.monotonic() + 15
    for process in running:
        try:
            process.wait(max(deadline - time.monotonic(), 0.1))
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(10)


class S3Server:
    """moto's S3 in server mode (the real S3 wire protocol) on a free port, with a fresh bucket per test."""

    ACCESS_KEY, SECRET_KEY, REGION = "test-access-key", "test-secret-key", "us-east-1"

    def __init__(self):
        from moto.server import ThreadedMotoServer

        self.port = free_port()
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self):
        import boto3

        return boto3.client("s3", endpoint_url=self.url, region_name=self.REGION,
                            aws_access_key_id=self.ACCESS_KEY, aws_secret_access_key=self.SECRET_KEY)

    def new_bucket(self) -> dict:
        """A new empty bucket; the app settings (as config keys and as environment variables) that use it."""
        name = f"angelcx-test-{os.urandom(6).hex()}"
        self.client().create_bucket(Bucket=name)
        return {"STORAGE_URL": self.url, "STORAGE_BUCKET": name, "STORAGE_REGION": self.REGION,
                "STORAGE_ACCESS_KEY_ID": self.ACCESS_KEY, "STORAGE_SECRET_ACCESS_KEY": self.SECRET_KEY}

    def keys(self, bucket: str) -> set[str]:
        return {item["Key"] for item in self.client().list_objects_v2(Bucket=bucket).get("Contents", [])}
