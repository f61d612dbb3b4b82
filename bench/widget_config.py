"""Requests per second of GET /widget/<token>/config on gunicorn, and the share a CDN would take off the app.

    createdb -h 127.0.0.1 -U postgres angelcx_bench   # any PostgreSQL database
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/angelcx_bench .venv/bin/python bench/widget_config.py

Migrates and seeds the demo data (idempotent), starts a redis-server of its own (rate limits are counted in
Redis, as in production) and `gunicorn wsgi:app` with 2 workers on a free port behind a pretend proxy
(TRUSTED_PROXY_COUNT=1, each request from another X-Forwarded-For address, as real visitors are), then runs
`wrk` (apt-get install wrk) twice against one agent's config: every request a full answer (caching off: no
If-None-Match), then every request a revalidation (If-None-Match: a 304). It prints both rates and, from the
answer's max-age, how much of a widget's traffic a CDN would absorb. Not a test: figures vary with the machine.
"""
from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests  # noqa: E402

from dashboard import create_app  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
# Each request comes from another visitor's address (the proxy says so), so the per-address limits do not
# refuse the load generator: the app does all it does for a real visitor, Redis rate-limit counting included.
WRK_SCRIPT = """
counter = 0
request = function()
  counter = counter + 1
  local headers = {["X-Forwarded-For"] = "10." .. (counter % 250) .. "." .. (math.floor(counter / 250) % 250) .. ".1"}
  if etag ~= nil then headers["If-None-Match"] = etag end
  return wrk.format("GET", path, headers)
end
"""


def seeded_config_path(database_url: str) -> str:
    """Migrate, seed the demo data, and return the config URL path of the demo business's first agent."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from dashboard.agents.models import Agent
    from dashboard.agents.widget.operations import widget_token
    from dashboard.demo.seed import seed_demo
    from dashboard.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": os.environ["SECRET_KEY"]})
    with app.app_context():
        upgrade()
        if db.session.scalar(select(Agent.agent_id).limit(1)) is None:
            seed_demo(os.environ.get("DEMO_PASSWORD", "bench-password-0123"), scale=1, echo=lambda *_: None)
        agent = db.session.scalars(select(Agent).order_by(Agent.agent_id)).first()
        return f"/widget/{widget_token(agent)}/config"


def wrk(url: str, path: str, etag: str | None, seconds: int, connections: int) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(f"path = {path!r}\netag = {etag!r}\n".replace("None", "nil") + WRK_SCRIPT)
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", script.name, url],
                         capture_output=True, text=True, check=True).stdout
    os.unlink(script.name)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
            "p50": re.search(r"50%\s+(\S+)", out).group(1), "p99": re.search(r"99%\s+(\S+)", out).group(1),
            "requests": int(re.search(r"(\d+) requests in", out).group(1)),
            "not_ok": int(non_2xx.group(1)) if non_2xx else 0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL")
    if not database_url or not database_url.startswith("postgresql"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (production settings); see the docstring.")
    os.environ.setdefault("SECRET_KEY", "bench-secret-key-0123456789abcdef")
    os.environ["FLASK_SKIP_DOTENV"] = "1"
    os.environ["INSTANCE_PATH"] = tempfile.mkdtemp(prefix="bench-instance-")
    path = seeded_config_path(database_url)

    sys.path.insert(0, str(ROOT))
    from tests.auth.live_servers import GunicornServer, RedisServer

    redis_server = RedisServer()
    server = GunicornServer({"DATABASE_URL": database_url, "REDIS_URL": redis_server.url,
                             "SECRET_KEY": os.environ["SECRET_KEY"], "TRUSTED_PROXY_COUNT": "1"}, workers=args.workers)
    try:
        first = requests.get(server.url + path, headers={"X-Forwarded-For": "10.255.0.1"}, timeout=10)
        first.raise_for_status()
        max_age = int(re.search(r"max-age=(\d+)", first.headers["Cache-Control"]).group(1))
        wrk(server.url, path, None, 3, args.connections)  # warm up: connections, caches, JIT of nothing
        full = wrk(server.url, path, None, args.seconds, args.connections)
        revalidated = wrk(server.url, path, first.headers["ETag"], args.seconds, args.connections)
    finally:
        server.stop()
        redis_server.stop()

    print(f"gunicorn, {args.workers} sync workers, PostgreSQL, rate limits in Redis; wrk -t2 -c{args.connections} "
          f"-d{args.seconds}s on the same {os.cpu_count()}-CPU machine")
    for name, run in (("full answers (caching off)", full), ("revalidations (If-None-Match: 304)", revalidated)):
        print(f"  {name:36} {run['rps']:8.0f} req/s  p50 {run['p50']:>8}  p99 {run['p99']:>8}  "
              f"({run['requests']} requests, {run['not_ok']} not 2xx/3xx)")
    print(f"Cache-Control: {first.headers['Cache-Control']}: each CDN edge asks the app at most once per token "
          f"every {max_age} s; the rest of that edge's requests for the token never reach the app.")
    for per_second in (1, 10, 100, 1000):
        share = 1 - 1 / (per_second * max_age)
        print(f"  {per_second:5} req/s per token at an edge -> the app sees 1 per {max_age} s: "
              f"{share:.4%} absorbed")
    print(f"  so the app's {full['rps']:.0f} req/s would serve about {full['rps'] * max_age:.0f} (token, edge) pairs "
          "at any visitor rate")


if __name__ == "__main__":
    main()
