"""Running one job: claim it with a lease, run it in its own transaction, then mark it done or schedule a retry."""
from __future__ import annotations

import importlib
import logging
import random
from contextvars import ContextVar
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import update

from dashboard import metrics
from dashboard.database import utcnow
from dashboard.extensions import db
from dashboard.jobs.models import Job
from dashboard.jobs.outbox import dispatch_pending

log = logging.getLogger(__name__)

_attempt: ContextVar[tuple[int, int] | None] = ContextVar("job_attempt", default=None)


class Retry(Exception):
    """Raised by a job that should be tried again (at `at`, or after the usual backoff); `message` is its error."""

    def __init__(self, message: str, at: datetime | None = None):
        super().__init__(message)
        self.at = at


class GiveUp(Exception):
    """Raised by a job that failed for good (trying again cannot help): it is dead at once, `message` its error."""


def current_attempt() -> tuple[int, int]:
    """(this attempt's number, the job's maximum attempts) while a job runs; (1, 1) when called directly."""
    return _attempt.get() or (1, 1)


def backoff(attempts: int) -> timedelta:
    """How long after failed attempt number `attempts` the next one waits: base·2^(n-1), capped, with jitter."""
    config = current_app.config
    delay = min(config["JOBS_RETRY_CAP_SECONDS"], config["JOBS_RETRY_BASE_SECONDS"] * 2 ** max(attempts - 1, 0))
    # "Equal jitter": at least half the delay, so retries spread out without coming back too soon.
    return timedelta(seconds=delay / 2 + random.uniform(0, delay / 2))


def _resolve(kind: str):
    module, _, name = kind.partition(":")
    return getattr(importlib.import_module(module), name)


def _claim(job_id: int):
    """(attempts, max_attempts, kind, arguments) of the job, now ours until its lease expires; None if not due or taken."""
    now = utcnow()
    lease = now + timedelta(seconds=current_app.config["JOBS_LEASE_SECONDS"])
    claimed = db.session.execute(
        update(Job).where(Job.job_id == job_id, Job.state == "queued", Job.run_after <= now)
        .values(state="running", attempts=Job.attempts + 1, lease_expires_at=lease, updated_at=now)
        .returning(Job.attempts, Job.max_attempts, Job.kind, Job.arguments)
    ).one_or_none()
    db.session.commit()
    return claimed


def run_job(job_id: int) -> str:
    """Run job `job_id` if it is due and nobody else holds it; what happened ("done", "retry", "dead", "skipped")."""
    claimed = _claim(job_id)
    if claimed is None:
        return "skipped"
    attempts, max_attempts, kind, arguments = claimed
    token = _attempt.set((attempts, max_attempts))
    try:
        _resolve(kind)(*list(arguments))
        db.session.commit()
    except Exception as error:
        db.session.rollback()
        outcome = _failed(job_id, kind, attempts, max_attempts, error)
    else:
        db.session.execute(update(Job).where(Job.job_id == job_id, Job.state == "running", Job.attempts == attempts)
                           .values(state="done", lease_expires_at=None, last_error=None, updated_at=utcnow()))
        db.session.commit()
        outcome = "done"
    finally:
        _attempt.reset(token)
    metrics.JOB_OUTCOMES.labels(kind, outcome).inc()
    dispatch_pending()  # the jobs this one recorded
    return outcome


def _failed(job_id: int, kind: str, attempts: int, max_attempts: int, error: Exception) -> str:
    message = (str(error) if isinstance(error, Retry | GiveUp) else f"{type(error).__name__}: {error}")[:2000]
    dead = attempts >= max_attempts or isinstance(error, GiveUp)
    values = {"state": "dead" if dead else "queued", "last_error": message, "lease_expires_at": None,
              "handed_over_at": None, "updated_at": utcnow()}
    if not dead:
        values["run_after"] = getattr(error, "at", None) or utcnow() + backoff(attempts)
    db.session.execute(update(Job).where(Job.job_id == job_id, Job.state == "running", Job.attempts == attempts)
                       .values(**values))
    db.session.commit()
    # The error's text may carry personal data (an SMTP reply names the recipient): it stays in the job row.
    log.warning("Job %s (%s) failed on attempt %d of %d with %s; %s", job_id, kind, attempts, max_attempts,
                type(error).__name__, "it is dead" if dead else "it will be retried")
    return "dead" if dead else "retry"
