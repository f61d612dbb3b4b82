"""Durable background jobs: a row written with the change that needs it, then run by RQ (or inline) until done."""
from __future__ import annotations

import logging

from flask import Flask

from dashboard.jobs.models import Job
from dashboard.jobs.outbox import QUEUE_NAME, defer, dispatch_pending
from dashboard.jobs.runner import GiveUp, Retry, backoff, current_attempt, run_job

__all__ = ["QUEUE_NAME", "GiveUp", "Job", "Retry", "backoff", "current_attempt", "defer", "dispatch_pending", "init_app",
           "make_worker", "run_job"]
log = logging.getLogger(__name__)


def make_worker(app: Flask, queue_name: str | None = None):
    """An RQ worker for the app's queue (see dashboard.jobs.worker)."""
    from dashboard.jobs.worker import make_worker as build

    return build(app, queue_name)


def init_app(app: Flask) -> None:
    """Hand over the jobs a request committed once it has answered them (after its last commit)."""

    @app.after_request
    def _dispatch_committed_jobs(response):
        dispatch_pending()
        return response
