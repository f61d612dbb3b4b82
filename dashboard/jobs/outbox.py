"""Recording a job in the caller's transaction, and handing it over (RQ, or inline) once that transaction commits."""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from flask import current_app
from sqlalchemy import event, select, update
from sqlalchemy.exc import SQLAlchemyError

from dashboard.database import utcnow
from dashboard.extensions import db
from dashboard.jobs.models import Job

log = logging.getLogger(__name__)

QUEUE_NAME = "angelcx"
RUNNER = "dashboard.jobs.runner.run_job"
FLUSHED = "jobs_flushed"  # session.info: ids of jobs written in the open transaction
COMMITTED = "jobs_committed"  # session.info: ids of jobs whose transaction committed, not yet handed over


def kind_of(func: Callable) -> str:
    """The import path a worker finds `func` by; only module-level functions can be jobs."""
    if "<" in func.__qualname__ or "." in func.__qualname__:
        raise ValueError(f"{func.__qualname__} is not a module-level function: a worker could not import it")
    return f"{func.__module__}:{func.__qualname__}"


def defer(func: Callable, *args, max_attempts: int | None = None, dedupe_key: str | None = None,
          run_after: datetime | None = None) -> Job | None:
    """Record `func(*args)` as a job in the current transaction; it runs once that transaction commits.

    Arguments must be plain JSON values (ids, not ORM objects). A rolled-back transaction leaves no job.
    With `dedupe_key`, nothing is added while a job with that key is still queued (None is returned).
    """
    if dedupe_key and db.session.scalar(
            select(Job.job_id).where(Job.dedupe_key == dedupe_key, Job.state == "queued").limit(1)):
        return None
    job = Job(kind=kind_of(func), arguments=list(args), state="queued", attempts=0,
              max_attempts=max_attempts or current_app.config["JOBS_MAX_ATTEMPTS"],
              run_after=run_after or utcnow(), dedupe_key=dedupe_key)
    db.session.add(job)
    return job


@event.listens_for(db.session, "after_flush")
def _note_flushed_jobs(session, _context) -> None:
    ids = [obj.job_id for obj in session.new if isinstance(obj, Job)]
    if ids:
        session.info.setdefault(FLUSHED, []).extend(ids)


@event.listens_for(db.session, "after_commit")
def _jobs_committed(session) -> None:
    # No SQL may run here: the ids only move to the list dispatch_pending() hands over.
    flushed = session.info.pop(FLUSHED, None)
    if flushed:
        session.info.setdefault(COMMITTED, []).extend(flushed)


@event.listens_for(db.session, "after_rollback")
def _jobs_rolled_back(session) -> None:
    session.info.pop(FLUSHED, None)


def dispatch_pending() -> None:
    """Hand over the jobs committed since the last call; never raises (the change is committed already).

    Called after each request and after each job. A job that cannot be handed over stays queued in
    the database, and the sweep hands it over later.
    """
    ids = db.session.info.pop(COMMITTED, None)
    if not ids:
        return
    try:
        hand_over(ids)
    except Exception:  # the caller's change is committed; the sweep retries what was not handed over
        log.exception("Handing over %d committed jobs failed; they stay queued for the sweep", len(ids))
        db.session.rollback()


def redis_connection(app=None):
    from redis import Redis

    app = app or current_app
    return Redis.from_url(app.config["REDIS_URL"], socket_connect_timeout=2, socket_timeout=10)


def rq_queue(app=None, name: str | None = None, connection=None):
    from rq import Queue

    app = app or current_app._get_current_object()
    return Queue(name or app.config.get("JOBS_QUEUE", QUEUE_NAME), connection=connection or redis_connection(app))


def hand_over(ids: list[int]) -> int:
    """Run the jobs now (no REDIS_URL) or put them on the RQ queue; returns how many were handed over."""
    if not current_app.config.get("REDIS_URL"):
        from dashboard.jobs.runner import run_job

        for job_id in ids:
            run_job(job_id)
        return len(ids)
    from redis.exceptions import RedisError

    queue, handed = rq_queue(), []
    # Marked before they are enqueued, and only while due: a worker can run a job and fail it (its retry queued
    # for later, unmarked) before a late mark lands (after enqueueing, or a second hand-over's waiting for a lock),
    # and that mark would hide the retry from the sweep for JOBS_HANDOVER_SECONDS.
    _mark_handed_over(ids, utcnow())
    try:
        for job_id in ids:
            queue.enqueue(RUNNER, job_id, job_timeout=current_app.config["JOBS_LEASE_SECONDS"], result_ttl=60,
                          failure_ttl=86400)
            handed.append(job_id)
    except RedisError as error:
        log.warning("Redis is unreachable (%s): %d jobs stay queued until the sweep hands them over",
                    type(error).__name__, len(ids) - len(handed))
        _mark_handed_over(ids[len(handed):], None)
    return len(handed)


def _mark_handed_over(ids: list[int], at: datetime | None) -> None:
    """Only a hint for the sweep: without it a job is handed over again, harmlessly."""
    if not ids:
        return
    try:
        marked = update(Job).where(Job.job_id.in_(ids), Job.state == "queued")
        if at is not None:
            marked = marked.where(Job.run_after <= at)
        db.session.execute(marked.values(handed_over_at=at))
        db.session.commit()
    except SQLAlchemyError:
        db.session.rollback()
