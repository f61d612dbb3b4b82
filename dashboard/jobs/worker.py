"""The worker process (`python -m dashboard.jobs`): runs RQ's queue, sweeps the outbox, and outlives Redis outages."""
from __future__ import annotations

import argparse
import logging
import signal
import time

from flask import Flask
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from rq.exceptions import StopRequested
from sqlalchemy.exc import OperationalError

from dashboard.jobs.maintenance import sweep
from dashboard.jobs.outbox import QUEUE_NAME, redis_connection, rq_queue

log = logging.getLogger(__name__)
OUTAGES = (RedisConnectionError, RedisTimeoutError, OperationalError)
MAX_BACKOFF = 30


def make_worker(app: Flask, queue_name: str | None = None, stopping: Stopping | None = None):
    """An RQ worker for the app's queue that runs each job in a fresh app context.

    A SIGTERM/SIGINT RQ receives also stops the loop in `work()`: RQ ends its own run at once when idle (or after
    the current job), and without this the loop would sweep and start a new run, needing a second signal.
    """
    from rq import SimpleWorker

    class AppWorker(SimpleWorker):
        # One process, no fork: each job gets its own app context, so its database session is
        # opened and removed around the job.
        def execute_job(self, job, queue):
            with app.app_context():
                return super().execute_job(job, queue)

        def request_stop(self, signum, frame):
            if stopping is not None:
                stopping.requested = True
            super().request_stop(signum, frame)

    connection = redis_connection(app)
    return AppWorker([rq_queue(app, queue_name, connection)], connection=connection)


class Stopping:
    """SIGTERM/SIGINT end the loop: between RQ runs through these handlers, during one through the worker's."""

    def __init__(self):
        self.requested = False
        self.install()

    def install(self) -> None:
        for number in (signal.SIGTERM, signal.SIGINT):
            signal.signal(number, self._request)

    def _request(self, *_):
        self.requested = True


def work(app: Flask, queue_name: str | None = None, burst: bool = False) -> None:
    """Sweep, then run what the queue holds for up to JOBS_SWEEP_SECONDS idle, and again, until stopped.

    When Redis or the database goes away the loop waits (1 s, doubling up to 30 s) and starts over with a
    new connection; jobs it could not hand over stay queued in the database meanwhile.
    """
    stopping, delay = Stopping(), 1
    idle = app.config["JOBS_SWEEP_SECONDS"]
    while not stopping.requested:
        try:
            with app.app_context():
                sweep()
            if stopping.requested:
                return
            worker = make_worker(app, queue_name, stopping)
            try:
                worker.work(burst=burst, max_idle_time=None if burst else idle, logging_level="WARNING")
            finally:
                stopping.install()  # RQ put its own handlers in place while it worked: ours again, between runs
            delay = 1
            if burst:
                return
        except StopRequested:  # a signal RQ's handler took just after its run ended
            return
        except OUTAGES as error:
            log.warning("Redis or the database is unreachable (%s); trying again in %d s", type(error).__name__,
                        delay)
            _sleep(delay, stopping)
            delay = min(delay * 2, MAX_BACKOFF)


def _sleep(seconds: float, stopping: Stopping) -> None:
    end = time.monotonic() + seconds
    while not stopping.requested and time.monotonic() < end:
        time.sleep(0.1)


def main(argv: list[str] | None = None) -> None:
    """`python -m dashboard.jobs [--burst] [--queue NAME]`: the worker process (`make worker`)."""
    from dashboard import create_app

    parser = argparse.ArgumentParser(description="Run the AngelCX background job worker.")
    parser.add_argument("--burst", action="store_true", help="sweep once, run what is queued, then exit")
    parser.add_argument("--queue", help=f"the queue to work on (default {QUEUE_NAME})")
    options = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    app = create_app()
    if not app.config.get("REDIS_URL"):
        raise SystemExit("REDIS_URL is not set: jobs run inline, there is nothing for a worker to do.")
    work(app, options.queue, burst=options.burst)
