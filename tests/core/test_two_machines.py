"""Two web machines and a worker on one database, Redis and object store: nothing a request needs stays on one of them.

Each machine is a gunicorn of its own (separate processes, separate instance folders, the same SECRET_KEY); the
worker is `python -m dashboard.jobs`. The browser is one requests.Session, so the same cookie goes to both.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
import requests

from dashboard.extensions import db
from dashboard.models import Agent, KnowledgeSource
from tests import factories
from tests.live_servers import RedisServer, app_environment, start_gunicorn, start_worker, stop, wait_for

PNG = b"\x89PNG\r\n\x1a\n" + b"\x02" * 80
HX = {"HX-Request": "true"}
WIDGET = {"bot_name": "Ava", "color": "#0f8b8d", "position": "bottom-left", "greeting": "Hello there!",
          "launcher_text": "Talk to Ava", "avatar_url": ""}


@pytest.fixture
def cluster(make_app, migrated, s3_bucket, tmp_path):
    """Redis, machines A and B, and a worker, all configured alike apart from their instance folders."""
    redis_server = RedisServer(tmp_path)
    redis_server.start()
    settings = {"REDIS_URL": redis_server.url, "JOBS_SWEEP_SECONDS": 1, **s3_bucket}
    processes = []
    try:
        machines = []
        for name in ("a", "b"):
            process, base = start_gunicorn(app_environment(migrated, tmp_path / name, **settings),
                                           tmp_path / f"{name}.log")
            processes.append(process)
            machines.append(base)
        processes.append(start_worker(app_environment(migrated, tmp_path / "worker", **settings),
                                      tmp_path / "worker.log"))
        app = make_app(**settings)
        with app.app_context():
            yield app, machines, tmp_path
    finally:
        stop(*processes)
        redis_server.stop()


def csrf_token(html: str) -> str:
    return re.search(r'name="csrf[-_]token" (?:content|value)="([^"]+)"', html).group(1)


def sign_in(browser: requests.Session, base: str, customer) -> None:
    token = csrf_token(browser.get(f"{base}/auth/login", timeout=10).text)
    response = browser.post(f"{base}/auth/login", data={"email": customer.email, "password": factories.PASSWORD,
                                                        "csrf_token": token}, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text


def stored_files(instance: Path) -> list[Path]:
    return [path for path in (instance / "uploads").rglob("*") if path.is_file()]


def test_a_customer_works_across_two_machines_and_a_worker(cluster):
    app, (machine_a, machine_b), folders = cluster
    customer = factories.make_customer()
    agent = factories.make_agent(customer)
    db.session.commit()
    browser = requests.Session()

    # Signed in on A, the same cookie is a signed-in session on B.
    sign_in(browser, machine_a, customer)
    page = browser.get(f"{machine_b}/agents/{agent.agent_id}", allow_redirects=False, timeout=10)
    assert page.status_code == 200 and agent.name in page.text

    # An avatar uploaded through B (with B's CSRF token) is served by A, from the shared bucket.
    token = csrf_token(page.text)
    saved = browser.post(f"{machine_b}/agents/{agent.agent_id}/widget", headers={**HX, "X-CSRFToken": token},
                         data=WIDGET, files={"avatar": ("me.png", PNG, "image/png")}, timeout=10)
    assert saved.status_code == 200, saved.text
    db.session.expire_all()
    avatar_url = db.session.get(Agent, agent.agent_id).ui_config["avatar_url"]
    served = requests.get(f"{machine_a}{avatar_url}", timeout=10)  # public, from the other machine
    assert served.status_code == 200 and served.content == PNG
    assert served.headers["Content-Type"] == "image/png" and "sandbox" in served.headers["Content-Security-Policy"]

    # A knowledge file added on A is sent by the worker (skipped: no Ultravox here), and B lists the outcome.
    added = browser.post(f"{machine_a}/agents/{agent.agent_id}/knowledge/file", headers={**HX, "X-CSRFToken": token},
                         files={"file": ("prices.txt", b"Cleaning: $90\n", "text/plain")}, timeout=10)
    assert added.status_code == 200, added.text

    def synced():
        db.session.expire_all()
        source = db.session.scalars(db.select(KnowledgeSource).where(KnowledgeSource.agent_id == agent.agent_id)).one()
        return source.status == "skipped"

    wait_for(synced, 30, "the worker running the knowledge sync job")
    listed = browser.get(f"{machine_b}/agents/{agent.agent_id}/knowledge/sources", headers=HX, timeout=10)
    assert "prices.txt" in listed.text and "not synced because Ultravox is not configured" in listed.text

    # Nothing was written to either machine's disk (nor the worker's).
    assert [stored_files(folders / name) for name in ("a", "b", "worker")] == [[], [], []]
