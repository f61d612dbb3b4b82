"""The worker process (`python -m dashboard.jobs`) against a real redis-server that is stopped and started again."""
from __future__ import annotations

import os
import signal
import time
from pathlib import Path

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
            wait_for(lambda: saw_the_outage(log), 15, "the worker noticing the outage")
            time.sleep(0.5)
            assert worker.poll() is None, log.read_text()  # still running
            assert state_of(during.job_id) == "queued"

            redis_server.start()  # empty: whatever RQ held is gone, the database still has the job
            wait_for(lambda: state_of(during.job_id) == "done", 40, "the worker running the queued job")
            assert worker.poll() is None, log.read_text()
            assert lines(ran) == ["before the outage", "queued during the outage"]
    finally:
        stop(worker)
    assert saw_the_outage(log)


def saw_the_outage(log: Path) -> bool:
    output = log.read_text().lower()
    return "could not connect to redis" in output or "unreachable" in output


def slow_append_line(started: str, path: str, line: str) -> None:
    """A job that takes a while: it marks that it started, then writes its line a second later."""
    Path(started).touch()
    time.sleep(1)
    append_line(path, line)


def _working_worker(make_app, migrated, redis_server, tmp_path):
    """A worker whose sweep pause is long (30 s idle per RQ run), proven to be in its loop by a job it ran."""
    settings = {"REDIS_URL": redis_server.url, "JOBS_SWEEP_SECONDS": 30}
    app = make_app(**settings)
    log = tmp_path / "worker.log"
    worker = start_worker(app_environment(migrated, tmp_path / "instance", **settings), log)
    with app.app_context():
        first = defer(append_line, str(tmp_path / "ran.txt"), "first")
        db.session.commit()
        dispatch_pending()
        wait_for(lambda: state_of(first.job_id) == "done", 30, "the worker running its first job")
    return app, worker, log


def test_one_sigterm_stops_an_idle_worker_at_once(make_app, migrated, redis_server, tmp_path):
    app, worker, log = _working_worker(make_app, migrated, redis_server, tmp_path)
    try:
        time.sleep(0.5)  # back in RQ's wait for the next job
        os.kill(worker.pid, signal.SIGTERM)
        wait_for(lambda: worker.poll() is not None, 10, "the worker stopping on one SIGTERM")
        assert worker.returncode == 0, log.read_text()
    finally:
        stop(worker)


def test_one_sigterm_stops_a_busy_worker_after_its_current_job(make_app, migrated, redis_server, tmp_path):
    app, worker, log = _working_worker(make_app, migrated, redis_server, tmp_path)
    started, ran = tmp_path / "started", tmp_path / "slow.txt"
    try:
        with app.app_context():
            slow = defer(slow_append_line, str(started), str(ran), "finished")
            db.session.commit()
            dispatch_pending()
            wait_for(started.exists, 30, "the slow job starting")
            os.kill(worker.pid, signal.SIGTERM)
            wait_for(lambda: worker.poll() is not None, 10, "the worker stopping on one SIGTERM after its job")
            assert worker.returncode == 0, log.read_text()
            assert lines(ran) == ["finished"] and state_of(slow.job_id) == "done"
    finally:
        stop(worker)
