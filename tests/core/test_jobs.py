"""The job outbox: a job commits or rolls back with its change, retries with backoff until dead, and can be revived."""
from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from dashboard.conversations.models import Visitor
from dashboard.database import utcnow
from dashboard.extensions import db
from dashboard.jobs import GiveUp, Job, backoff, defer, dispatch_pending
from dashboard.jobs.maintenance import sweep
from tests import factories
from tests.live_servers import wait_for


def append_line(path: str, line: str) -> None:
    """A job with an effect the test can see without a database: one line per run."""
    with open(path, "a") as file:
        file.write(line + "\n")


def fails_until_present(flag: str) -> None:
    """A job whose service is down until the test creates `flag`."""
    if not Path(flag).exists():
        raise ConnectionError("the service at 127.0.0.1:9 refused the connection")


def refused_for_good(address: str) -> None:
    """A job whose service said no for good (a mail server's 550 about a recipient)."""
    raise GiveUp(f"{address}: 550 5.1.1 No such user here")


def lines(path: Path) -> list[str]:
    return path.read_text().splitlines() if path.exists() else []


def job(job_id: int) -> Job:
    db.session.expire_all()
    return db.session.get(Job, job_id)


def test_a_job_is_committed_with_its_change_and_rolled_back_with_it(app, customer, tmp_path):
    ran = tmp_path / "ran.txt"
    db.session.commit()
    db.session.add(Visitor(customer_id=customer.customer_id, name="Ava"))
    defer(append_line, str(ran), "rolled back")
    db.session.rollback()
    dispatch_pending()
    assert db.session.scalar(select(func.count()).select_from(Job)) == 0 and lines(ran) == []

    db.session.add(Visitor(customer_id=customer.customer_id, name="Ava"))
    recorded = defer(append_line, str(ran), "committed")
    db.session.commit()
    assert lines(ran) == []  # nothing runs inside the transaction, nor before it is handed over
    dispatch_pending()
    assert lines(ran) == ["committed"] and job(recorded.job_id).state == "done"


def test_backoff_doubles_from_the_base_with_jitter_and_a_cap(app):
    for attempt, (low, high) in {1: (15, 30), 2: (30, 60), 3: (60, 120), 20: (1800, 3600)}.items():
        delays = [backoff(attempt).total_seconds() for _ in range(50)]
        assert low <= min(delays) and max(delays) <= high and len(set(delays)) > 1


def test_a_failing_job_is_retried_with_backoff_then_dead_and_retry_revives_it(make_app, tmp_path):
    app = make_app(JOBS_RETRY_BASE_SECONDS=1, JOBS_MAX_ATTEMPTS=3)
    flag = tmp_path / "service-is-up"
    with app.app_context():
        failing = defer(fails_until_present, str(flag))
        db.session.commit()
        dispatch_pending()
        first = job(failing.job_id)
        assert (first.state, first.attempts) == ("queued", 1)
        assert first.last_error == "ConnectionError: the service at 127.0.0.1:9 refused the connection"
        wait = (first.run_after - first.updated_at).total_seconds()
        assert 0.5 <= wait <= 1.01  # 1 s · 2^0, at least half of it
        assert sweep().handed_over == 0  # not due yet

        for attempts in (2, 3):
            time.sleep(max((job(failing.job_id).run_after - utcnow()).total_seconds(), 0) + 0.05)
            assert sweep().handed_over == 1
            assert job(failing.job_id).attempts == attempts
        dead = job(failing.job_id)
        assert (dead.state, dead.attempts, dead.lease_expires_at) == ("dead", 3, None)

        cli = app.test_cli_runner()
        report = cli.invoke(args=["jobs", "status"]).output
        assert "dead" in report and "tests.core.test_jobs:fails_until_present" in report
        assert f"dead job {dead.job_id}" in report and "refused the connection" in report

        flag.touch()
        revived = cli.invoke(args=["jobs", "retry", str(dead.job_id)])
        assert revived.exit_code == 0 and f"1 dead jobs queued again: {dead.job_id}" in revived.output
        done = job(failing.job_id)
        assert (done.state, done.attempts, done.last_error) == ("done", 1, None)


def test_retry_without_ids_or_dead_is_a_usage_error(app):
    result = app.test_cli_runner().invoke(args=["jobs", "retry"])
    assert result.exit_code == 2 and "Give job ids, or --dead" in result.output


def test_a_job_whose_worker_died_is_swept_and_run_again(make_app, tmp_path):
    """A worker that dies mid-job leaves it "running"; once its lease expires the sweep runs it again."""
    app = make_app(JOBS_LEASE_SECONDS=1)
    ran = tmp_path / "ran.txt"
    with app.app_context():
        customer = factories.make_customer()
        recorded = defer(append_line, str(ran), "attempt")
        db.session.commit()
        # The worker claimed it (state running, attempt 1, a one-second lease) and then its process died.
        from dashboard.jobs.runner import _claim

        assert _claim(recorded.job_id) is not None
        assert lines(ran) == [] and job(recorded.job_id).state == "running"
        assert sweep().recovered == 0  # its lease still holds: it may be working

        wait_for(lambda: job(recorded.job_id).lease_expires_at < utcnow(), 5, "the lease expiring")
        output = app.test_cli_runner().invoke(args=["jobs", "sweep"]).output
        assert "1 jobs recovered from stopped workers, 0 dead, 1 handed over." in output
        swept = job(recorded.job_id)
        assert (swept.state, swept.attempts, lines(ran)) == ("done", 2, ["attempt"])
        assert customer.customer_id  # the app's data is untouched by the sweep


def test_a_dead_worker_on_the_last_attempt_leaves_the_job_dead(make_app, tmp_path):
    app = make_app(JOBS_LEASE_SECONDS=1)
    with app.app_context():
        recorded = defer(append_line, str(tmp_path / "ran.txt"), "never", max_attempts=1)
        db.session.commit()
        from dashboard.jobs.runner import _claim

        _claim(recorded.job_id)
        time.sleep(1.1)
        assert sweep().dead == 1
        dead = job(recorded.job_id)
        assert dead.state == "dead" and "lease expired" in dead.last_error
        assert dead.updated_at > utcnow() - timedelta(seconds=5)


def test_a_job_deduplicated_by_key_is_recorded_once_while_queued(make_app, tmp_path):
    app = make_app(REDIS_URL="redis://127.0.0.1:1/0")  # Redis configured but down: jobs stay queued
    with app.app_context():
        first = defer(append_line, str(tmp_path / "x"), "x", dedupe_key="follow-up:1")
        db.session.commit()
        dispatch_pending()  # does not raise: the sweep hands it over later
        assert defer(append_line, str(tmp_path / "x"), "x", dedupe_key="follow-up:1") is None
        assert job(first.job_id).state == "queued" and job(first.job_id).handed_over_at is None


def test_a_job_that_gives_up_is_dead_at_once_and_says_why(make_app):
    """Retrying what the other side refused for good only repeats the refusal (five times, over hours)."""
    app = make_app(JOBS_MAX_ATTEMPTS=5)
    with app.app_context():
        refused = defer(refused_for_good, "nobody@rejected.example")
        db.session.commit()
        dispatch_pending()
        dead = job(refused.job_id)
        assert (dead.state, dead.attempts) == ("dead", 1)
        assert dead.last_error == "nobody@rejected.example: 550 5.1.1 No such user here"
