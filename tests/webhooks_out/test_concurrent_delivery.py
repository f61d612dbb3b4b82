"""Real concurrent delivery: two RQ worker processes and a two-worker gunicorn on one database and Redis.

The receiver fails every event's first two posts; time is moved forward (the jobs' run_after) until each is
delivered. Both workers sweep every second, so a due job is often handed to RQ twice and both workers race for it.
Each event ends with exactly one successful attempt in the log; concurrent "resend" clicks send it once more.
"""
from __future__ import annotations

import subprocess
import sys
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
import requests
from sqlalchemy import func, select, update

from dashboard.database import utcnow
from dashboard.extensions import db
from dashboard.jobs import Job
from dashboard.webhooks_out.models import WebhookAttempt, WebhookDelivery
from tests import factories
from tests.core import test_two_machines as machines
from tests.live_servers import ROOT, RedisServer, app_environment, start_gunicorn, stop, wait_for

EVENTS = 8
# The worker of `python -m dashboard.jobs`, on an app allowed to call the local receiver (a loopback address,
# refused otherwise); there is no environment variable for that on purpose.
WORKER = ("from dashboard import create_app; from dashboard.jobs.worker import work; "
          "work(create_app({'SAFE_HTTP_ALLOWED_HOSTS': ['127.0.0.1']}))")


@pytest.fixture
def cluster(make_app, migrated, tmp_path):
    redis_server = RedisServer(tmp_path)
    redis_server.start()
    settings = {"REDIS_URL": redis_server.url, "JOBS_SWEEP_SECONDS": 1}
    processes = []
    try:
        for n in range(2):
            processes.append(subprocess.Popen(
                [sys.executable, "-c", WORKER], cwd=ROOT, env=app_environment(migrated, tmp_path / f"w{n}", **settings),
                stdout=(tmp_path / f"worker{n}.log").open("w"), stderr=subprocess.STDOUT, start_new_session=True))
        web, base = start_gunicorn(app_environment(migrated, tmp_path / "web", **settings), tmp_path / "web.log")
        processes.append(web)
        app = make_app(**settings, SECRET_KEY=app_environment(migrated, tmp_path)["SECRET_KEY"])  # one key to all
        with app.app_context():
            yield base
    finally:
        stop(*processes)  # one SIGTERM each: the workers stop at once when idle, gunicorn gracefully
        redis_server.stop()


def move_time_forward() -> None:
    """The retries' time has come: every queued job is due now (the workers' sweep hands them to RQ)."""
    db.session.execute(update(Job).where(Job.state == "queued").values(run_after=utcnow() - timedelta(seconds=1)))
    db.session.commit()


def statuses() -> Counter:
    db.session.expire_all()
    return Counter(db.session.scalars(select(WebhookDelivery.status)).all())


def test_a_failing_endpoint_is_retried_by_racing_workers_and_each_event_is_delivered_once(cluster, receiver):
    base = cluster
    customer = factories.make_customer()
    endpoint = factories.make_webhook_endpoint(customer, url=receiver.url, events=["conversation.ended"])
    endpoint_id = endpoint.webhook_endpoint_id
    db.session.commit()
    receiver.fail_each_event = 2
    browser = requests.Session()
    machines.sign_in(browser, base, customer)
    token = machines.csrf_token(browser.get(f"{base}/settings/webhooks/{endpoint_id}", timeout=10).text)

    def post(path: str) -> str:
        answer = browser.post(f"{base}/settings/webhooks/{endpoint_id}{path}",
                              headers={"X-CSRFToken": token, "HX-Request": "true"}, timeout=20)
        assert answer.status_code == 200, answer.text
        return answer.text

    # Eight test events at once, through both web workers.
    with ThreadPoolExecutor(EVENTS) as pool:
        assert all("is on its way" in answer for answer in pool.map(lambda _: post("/ping"), range(EVENTS)))

    def all_delivered():
        counts = statuses()
        if counts["succeeded"] == EVENTS:
            return True
        if counts["pending"] == counts["sending"] == 0:  # every failed attempt is logged: bring the retries forward
            move_time_forward()
        return False

    wait_for(all_delivered, 90, "every event delivered after its retries", interval=0.5)

    deliveries = db.session.scalars(select(WebhookDelivery)).all()
    assert len(deliveries) == EVENTS and all(d.attempts == 3 for d in deliveries)
    logged = db.session.execute(select(WebhookAttempt.webhook_delivery_id, WebhookAttempt.response_status)
                                .order_by(WebhookAttempt.webhook_attempt_id)).all()
    by_delivery = {d.webhook_delivery_id: [code for delivery_id, code in logged if delivery_id == d.webhook_delivery_id]
                   for d in deliveries}
    assert all(codes == [503, 503, 200] for codes in by_delivery.values()), by_delivery
    posts = Counter(hit["body"]["id"] for hit in receiver.received)
    assert set(posts.values()) == {3} and len(posts) == EVENTS
    assert sorted(receiver.processed) == sorted(posts) and receiver.duplicates == [] and receiver.overlaps == []
    assert db.session.scalar(select(func.count()).select_from(Job).where(Job.state == "dead")) == 0

    # Six "resend" clicks at once on one delivered event, the receiver slow to answer: a click while the event is
    # being sent again is refused, so the event is never posted twice at once, and each resend is one more post
    # (the same id, which the receiver drops).
    chosen, receiver.answer_after = deliveries[0], 0.5
    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(lambda _: post(f"/deliveries/{chosen.webhook_delivery_id}/resend"), range(6)))
    accepted = sum("is being sent again" in answer for answer in answers)
    assert accepted >= 1 and accepted + sum("still being delivered" in answer for answer in answers) == 6
    wait_for(lambda: statuses()["succeeded"] == EVENTS and len(receiver.received) == 3 * EVENTS + accepted, 30,
             "the resends delivered")
    assert receiver.duplicates == [chosen.event_id] * accepted and receiver.overlaps == []
    assert db.session.scalar(select(func.count()).select_from(WebhookAttempt).where(
        WebhookAttempt.webhook_delivery_id == chosen.webhook_delivery_id,
        WebhookAttempt.succeeded.is_(True))) == 1 + accepted
