"""Analytics, the overview, search counts and exports: each page's server time beside the bare SQL it runs,
and how both grow between two databases of different sizes.

    DEMO_PASSWORD=… SECRET_KEY=… .venv/bin/python bench/analytics.py SMALL_DATABASE_URL LARGE_DATABASE_URL

Each database must already hold `flask seed-demo --scale N` data (and `flask analytics rebuild`, which seed-demo
runs). For each database the script starts gunicorn (one sync worker, so requests never queue behind one another)
and signs in over HTTP like a browser; every page is then requested for real (routing, the sign-in session's
queries, SQL, rendering, the whole streamed body of an export), timed at the client over loopback. The SQL a
page runs is recorded once from an in-process request, then replayed on its own connection (each statement
as sent, in a transaction rolled back afterwards), interleaved with the page requests (and the databases with each other, request by request,
so a busy machine slows both alike), so "SQL ms" is the database's share of the page. Prints the median of each, their ratio, and per page the growth of the median
page time from the first database to the second. Not a test: figures vary with the machine.
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import time
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
    ("count: phrase + voice", "/conversations/count?q=wheelchair+accessible&channel=voice"),
    ("count: common word", "/conversations/count?q=appointment"),
    ("count: rare word", "/conversations/count?q=zzyzx"),
    ("export CSV, negative (all days)", "/conversations/export.csv?sentiment=negative"),
    ("export JSONL, 7 days", "/conversations/export.jsonl?start={week_ago}"),
]


def start_server(url: str) -> tuple[subprocess.Popen, str]:
    env = dict(os.environ, DATABASE_URL=url, WEB_CONCURRENCY="1", GUNICORN_THREADS="1", LOG_LEVEL="WARNING")
    server = subprocess.Popen([str(ROOT / ".venv/bin/gunicorn"), "-b", "127.0.0.1:0", "-w", "1", "--threads", "1",
                               "-k", "sync", "--timeout", "300", "wsgi:app"], cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True)
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

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        response = client.get(path)
        response.get_data()
        assert response.status_code == 200, (path, response.status_code)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
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
            self.recorded = {path: record_sql(app, password, path) for _, path in self.pages}
            db.session.remove()
            db.engine.dispose()
        self.engine = create_engine(url)
        self.title = f"{self.engine.dialect.name}: demo customer {size:,} conversations ({total:,} in all)"
        self.server, self.base = start_server(url)
        self.browser = sign_in(self.base, password)
        self.results: dict[str, tuple] = {}

    def once(self, index: int) -> tuple[float, float, int]:
        _, path = self.pages[index]
        started = time.perf_counter()
        answer = self.browser.get(self.base + path)
        body = answer.content
        page_ms = (time.perf_counter() - started) * 1000
        assert answer.status_code == 200 and body, (path, answer.status_code)
        return page_ms, replay(self.engine, self.recorded[path]), len(body)

    def close(self) -> None:
        self.server.terminate()
        self.server.wait()
        self.engine.dispose()


def bench(urls: list[str], repeat: int, password: str) -> list[Target]:
    """Every page on every database, interleaved request by request (page, then its SQL, then the next
    database's), so a busy machine slows every database alike and the growth ratios stay fair."""
    targets = [Target(url, password) for url in urls]
    try:
        for index, (label, _) in enumerate(targets[0].pages):
            times = repeat if "export" not in label else max(3, repeat // 5)
            samples = {id(t): ([], [], 0) for t in targets}
            for target in targets:
                target.once(index)  # warm: templates, plans, the planner's caches
            for _ in range(times):
                for target in targets:
                    page_ms, sql_ms, size = target.once(index)
                    pages, sqls, _ = samples[id(target)]
                    pages.append(page_ms)
                    sqls.append(sql_ms)
                    samples[id(target)] = (pages, sqls, size)
            for target in targets:
                pages, sqls, size = samples[id(target)]
                target.results[label] = (statistics.median(pages), statistics.median(sqls),
                                         len(target.recorded[target.pages[index][1]]), size)
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
        print(f"{'page':40} {'server ms':>10} {'SQL ms':>8} {'ratio':>6} {'queries':>8} {'bytes':>10}")
        for label, (page, sql, queries, size) in results.items():
            print(f"{label:40} {page:10.1f} {sql:8.1f} {page / sql if sql else 0:6.1f} {queries:8d} {size:10,d}")
    if len(runs) > 1:
        first, last = runs[0][0], runs[-1][0]
        print(f"\ngrowth of the median server time, {runs[0][1]} → {runs[-1][1]}")
        for label in first:
            print(f"{label:40} {last[label][0] / first[label][0]:6.2f}×  (SQL {last[label][1] / first[label][1]:.2f}×)")


if __name__ == "__main__":
    main()
