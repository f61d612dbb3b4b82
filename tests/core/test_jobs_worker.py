"""The worker process (`python -m dashboard.jobs`) against a real redis-server that is stopped and started again."""
from __future__ import annotations

import time

import pytest

from dashboard.extensions import db
from dashboard.jobs import Job, defer, dispatch_pending
from tests.core.test_jobs import append_line, lines
from tests.live_servers import RedisServer, app_environment, start_worker, stop, wait_for


@pytest.fixture
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


def state_of(job_id: int) -> str:
    db.session.expire_all()
    return db.session.get(Job, job_id).state


def test_the_worker_survives_redis_going_away_and_coming_back(make_app, migrated, redis_server, tmp_path):
    settings = {"REDIS_URL": redis_server.url, "JOBS_SWEEP_SECONDS": 1, "JOBS_HANDOVER_SECONDS": 2}
    app = make_app(**settings)
    ran, log = tmp_path / "ran.txt", tmp_path / "worker.log"
    worker = start_worker(app_environment(migrated, tmp_path / "instance", **settings), log)
    try:
        with app.app_context():
            before = defer(append_line, str(ran), "before the outage")
            db.session.commit()
            dispatch_pending()
            wait_for(lambda: state_of(before.job_id) == "done", 30, "the worker running the first job")

            redis_server.stop()
            during = defer(append_line, str(ran), "queued during the outage")
            db.session.commit()
            dispatch_pending()  # Redis is down: the job stays queued in the database, nothing raises
            time.sleep(3)
            assert worker.poll() is None, log.read_text()  # still running
            assert state_of(during.job_id) == "queued"

            redis_server.start()  # empty: whatever RQ held is gone, the database still has the job
            wait_for(lambda: state_of(during.job_id) == "done", 40, "the worker running the queued job")
            assert worker.poll() is None, log.read_text()
            assert lines(ran) == ["before the outage", "queued during the outage"]
    finally:
        stop(worker)
    output = log.read_text().lower()
    assert "could not connect to redis" in output or "unreachable" in output  # it did see the outage
