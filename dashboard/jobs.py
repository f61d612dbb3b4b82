"""Background jobs: enqueue() runs a function on the RQ queue when REDIS_URL is set, inline otherwise."""
from __future__ import annotations

import argparse
from collections.abc import Callable

from flask import Flask, current_app

QUEUE_NAME = "angelcx"


def _queue(app: Flask, name: str | None = None):
    from redis import Redis
    from rq import Queue

    name = name or app.config.get("JOBS_QUEUE", QUEUE_NAME)
    return Queue(name, connection=Redis.from_url(app.config["REDIS_URL"]))


def enqueue(func: Callable, *args) -> str | None:
    """Run `func(*args)` in the background (returns the RQ job id), or now when there is no Redis (None).

    `func` must be a module-level function taking plain arguments (ids, not ORM objects), so the
    worker can import it by name; it runs inside an app context either way.
    """
    app = current_app._get_current_object()
    if not app.config.get("REDIS_URL"):
        func(*args)
        return None
    return _queue(app).enqueue(func, *args, job_timeout=300).id


def make_worker(app: Flask, queue_name: str | None = None):
    """An RQ worker for the app's queue that runs each job in a fresh app context."""
    from rq import SimpleWorker

    class AppWorker(SimpleWorker):
        # One process, no fork: each job gets its own app context, so its database session is
        # opened and removed around the job.
        def execute_job(self, job, queue):
            with app.app_context():
                return super().execute_job(job, queue)

    queue = _queue(app, queue_name)
    return AppWorker([queue], connection=queue.connection)


def main(argv: list[str] | None = None) -> None:
    """`python -m dashboard.jobs [--burst]`: the worker process (`make worker`)."""
    from dashboard import create_app

    parser = argparse.ArgumentParser(description="Run the AngelCX background job worker.")
    parser.add_argument("--burst", action="store_true", help="exit once the queue is empty")
    parser.add_argument("--queue", help=f"the queue to work on (default {QUEUE_NAME})")
    options = parser.parse_args(argv)
    app = create_app()
    if not app.config.get("REDIS_URL"):
        raise SystemExit("REDIS_URL is not set: jobs run inline, there is nothing for a worker to do.")
    make_worker(app, options.queue).work(burst=options.burst)


if __name__ == "__main__":
    main()
