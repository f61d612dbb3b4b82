"""Analytics, the overview, search counts and exports: each page's server time beside the bare SQL it runs,
and how both grow between two databases of different sizes.

    DEMO_PASSWORD=… SECRET_KEY=… .venv/bin/python bench/analytics.py SMALL_DATABASE_URL LARGE_DATABASE_URL

Each database must already hold `flask seed-demo --scale N` data (and `flask analytics rebuild`, which seed-demo
runs). For each database the script starts gunicorn (one sync worker, so requests never queue behind one another;
bench/gunicorn_timing.py's hooks write each request's server wall time and the worker's CPU time to a file this
script reads) and signs in over HTTP like a browser; every page is then requested for real (routing, the sign-in
session's queries, SQL, rendering, the whole streamed body of an export). The SQL a page runs is recorded once
from an in-process request (no outer app context: the sign-in's queries count), then replayed on its own
connection (each statement as sent, in a transaction rolled back afterwards), interleaved with the page requests
(and the databases with each other, request by request, so a busy machine slows both alike), so "SQL ms" is the
database's share of the page. Prints per page the medians of the server's wall and CPU time, the SQL, the
wall/SQL ratio, the client's time, the number of statements, and the growth of each median from the first
database to the second. CPU time counts only the server process, so it is the fairer figure on a shared
machine; wall time includes waiting for the database and for the CPU. Not a test: figures vary with the machine.
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine, event, func, select  # noqa: E402

PAGES = [
    ("analytics, 7 days", "/analytics/?days=7"),
    ("analytics, 30 days", "/analytics/?days=30"),
    ("analytics, 90 days", "/analytics/?days=90"),
    ("analytics, custom year", "/analytics/?days=custom&start={year_ago}&end={today}"),
    ("analytics, 30 days, one agent, voice", "/analytics/?days=30&agent={agent}&channel=voice"),
    ("overview (home)", "/"),
    ("count: two words + voice", "/conversations/count?q=wheelchair+accessible&channel=voice"),
    ("count: a phrase", "/conversations/count?q=%22someone+from+our+team%22"),
    ("count: common word", "/conversations/count?q=appointment"),
    ("count: rare word", "/conversations/count?q=zzyzx"),
    ("count: two words, seldom in one message", "/conversations/count?q=appointment+charged"),
    ("count: two common words", "/conversations/count?q=book+appointment"),
    ("count: a word without another", "/conversations/count?q=appointment+-charged"),
    ("export CSV, negative (all days)", "/conversations/export.csv?sentiment=negative"),
    ("export JSONL, 7 days", "/conversations/export.jsonl?start={week_ago}"),
]


def start_server(url: str, timings: Path) -> tuple[subprocess.Popen, str]:
    """gunicorn with bench/gunicorn_timing.py's hooks: each request's server wall and CPU time go to `timings`."""
    env = dict(os.environ, DATABASE_URL=url, WEB_CONCURRENCY="1", GUNICORN_THREADS="1", LOG_LEVEL="WARNING",
               BENCH_TIMING_FILE=str(timings))
    server = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "-c", str(ROOT / "bench/gunicorn_timing.py"),
                               "-b", "127.0.0.1:0", "-w", "1", "--threads", "1", "-k", "sync", "--timeout", "300",
                               "wsgi:app"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True)
    for line in server.stderr:
        found = re.search(r"Listening at: (http://\S+)", line)
        if found:
            subprocess.Popen(["cat"], stdin=server.stderr, stdout=subprocess.DEVNULL)  # keep draining its log
            return server, found.group(1)
    raise SystemExit("gunicorn did not start")


def sign_in(base: str, password: str) -> requests.Session:
    browser = requests.Session()
    form = browser.get(f"{base}/auth/login").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', form)
    answer = browser.post(f"{base}/auth/login", data={"email": "demo@example.com", "password": password,
                                                      "csrf_token": token.group(1)}, allow_redirects=False)
    assert answer.status_code == 302, answer.text[:500]
    return browser


def record_sql(app, password: str, path: str) -> list[tuple[str, object]]:
    """The statements (with parameters) one request of `path` runs, sign-in session included."""
    from dashboard.extensions import db

    client = app.test_client()
    assert client.post("/auth/login", data={"email": "demo@example.com", "password": password}).status_code == 302
    statements = []

    def record(_conn, _cursor, statement, parameters, _context, _many):
        statements.append((statement, parameters))

    with app.app_context():
        engine = db.engine  # the listener is on the engine; the request below pushes its own app context
    event.listen(engine, "before_cursor_execute", record)
    try:
        response = client.get(path)
        response.get_data()
        assert response.status_code == 200, (path, response.status_code)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return statements


def replay(engine, statements) -> float:
    with engine.connect() as conn:
        raw = conn.connection.driver_connection
        started = time.perf_counter()
        cursor = raw.cursor()
        for statement, parameters in statements:
            cursor.execute(statement, parameters)
            if cursor.description is not None:
                cursor.fetchall()
        elapsed = time.perf_counter() - started
        raw.rollback()
    return elapsed * 1000


class Target:
    """One database: its pages (paths filled in for its data), their recorded SQL, a server and a signed-in browser."""

    def __init__(self, url: str, password: str):
        from dashboard import create_app
        from dashboard.agents.models import Agent
        from dashboard.analytics.operations import today
        from dashboard.auth.models import Customer
        from dashboard.conversations.models import Conversation
        from dashboard.extensions import db

        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False})
        with app.app_context():
            demo = db.session.scalars(select(Customer).where(Customer.email == "demo@example.com")).one()
            size = db.session.scalar(select(func.count()).where(Conversation.customer_id == demo.customer_id))
            total = db.session.scalar(select(func.count()).select_from(Conversation))
            agent = db.session.scalar(select(func.min(Agent.agent_id)).where(Agent.customer_id == demo.customer_id))
            now = today(demo.customer_id)
            values = {"today": now.isoformat(), "year_ago": (now - timedelta(days=365)).isoformat(),
                      "week_ago": (now - timedelta(days=6)).isoformat(), "agent": agent}
            self.pages = [(label, path.format(**values)) for label, path in PAGES]
        # Outside any app context: each request pushes its own, as in production, so the sign-in's queries
        # are recorded too (an outer context would share its session's identity map with the requests).
        self.recorded = {path: record_sql(app, password, path) for _, path in self.pages}
        with app.app_context():
            db.engine.dispose()
        self.engine = create_engine(url)
        self.title = f"{self.engine.dialect.name}: demo customer {size:,} conversations ({total:,} in all)"
        self.timings = Path(tempfile.mkstemp(prefix="bench-timings-", suffix=".txt")[1])
        self.server, self.base = start_server(url, self.timings)
        self.browser = sign_in(self.base, password)
        self.results: dict[str, Result] = {}

    def _server_times(self, seen: int) -> tuple[float, float]:
        """The server's wall and CPU ms of the request just answered (its hook writes them right after the body)."""
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            lines = self.timings.read_text().splitlines()
            if len(lines) > seen and lines[seen].endswith(tuple("0123456789")):
                wall, cpu = map(float, lines[seen].split())
                return wall, cpu
            time.sleep(0.002)
        raise SystemExit("the server wrote no timing for a request")

    def once(self, index: int) -> tuple[float, float, float, float, int]:
        """One request of page `index`: client ms, server wall ms, server CPU ms, its SQL replayed (ms), bytes."""
        _, path = self.pages[index]
        seen = len(self.timings.read_text().splitlines())
        started = time.perf_counter()
        answer = self.browser.get(self.base + path, stream=True)
        # Read in 1 MB pieces: a slow reader (requests' default 10 kB) makes the server wait on the socket,
        # and that wait would count as the export's server time.
        size = sum(len(piece) for piece in answer.iter_content(1 << 20))
        client_ms = (time.perf_counter() - started) * 1000
        assert answer.status_code == 200 and size, (path, answer.status_code)
        wall_ms, cpu_ms = self._server_times(seen)
        return client_ms, wall_ms, cpu_ms, replay(self.engine, self.recorded[path]), size

    def close(self) -> None:
        self.server.terminate()
        self.server.wait()
        self.engine.dispose()
        self.timings.unlink(missing_ok=True)


@dataclass
class Result:
    """Medians over the samples of one page on one database."""

    client: float
    wall: float
    cpu: float
    sql: float
    queries: int
    size: int


def bench(urls: list[str], repeat: int, password: str) -> list[Target]:
    """Every page on every database, interleaved request by request (page, then its SQL, then the next
    database's), so a busy machine slows every database alike and the growth ratios stay fair."""
    targets = [Target(url, password) for url in urls]
    try:
        for index, (label, _) in enumerate(targets[0].pages):
            times = repeat if "export" not in label else max(3, repeat // 5)
            samples: dict[int, list[tuple]] = {id(t): [] for t in targets}
            for target in targets:
                target.once(index)  # warm: templates, plans, the planner's caches
            for _ in range(times):
                for target in targets:
                    samples[id(target)].append(target.once(index))
            for target in targets:
                client, wall, cpu, sql, size = zip(*samples[id(target)], strict=True)
                target.results[label] = Result(
                    statistics.median(client), statistics.median(wall), statistics.median(cpu),
                    statistics.median(sql), len(target.recorded[target.pages[index][1]]), size[-1])
    finally:
        for target in targets:
            target.close()
    return targets


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("urls", nargs="+", help="database URLs, smallest first")
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--only", help="measure only the pages whose label contains this text")
    options = parser.parse_args()
    if options.only:
        PAGES[:] = [page for page in PAGES if options.only in page[0]]
    password = os.environ.get("DEMO_PASSWORD") or (ROOT / "instance/demo_password").read_text().strip()
    runs = [(target.results, target.title) for target in bench(options.urls, options.repeat, password)]
    for results, title in runs:
        print(f"\n{title}")
        print(f"{'page':38} {'wall ms':>8} {'CPU ms':>7} {'SQL ms':>7} {'ratio':>6} {'client ms':>10} "
              f"{'queries':>8} {'bytes':>10}")
        for label, r in results.items():
            print(f"{label:38} {r.wall:8.1f} {r.cpu:7.1f} {r.sql:7.1f} {r.wall / r.sql if r.sql else 0:6.1f} "
                  f"{r.client:10.1f} {r.queries:8d} {r.size:10,d}")
    if len(runs) > 1:
        first, last = runs[0][0], runs[-1][0]
        print(f"\ngrowth of the medians, {runs[0][1]} → {runs[-1][1]}")
        print(f"{'page':38} {'wall':>7} {'CPU':>7} {'SQL':>7}")
        for label in first:
            a, b = first[label], last[label]
            print(f"{label:38} {b.wall / a.wall:6.2f}× {b.cpu / a.cpu if a.cpu else 0:6.2f}× "
                  f"{b.sql / a.sql if a.sql else 0:6.2f}×")

if __name__ == "__main__":
    main()
