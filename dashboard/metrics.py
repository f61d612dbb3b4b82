"""Prometheus metrics: the objects every layer records into, request timing, and the text /metrics serves."""
from __future__ import annotations

import functools
import hmac
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import Flask, current_app, g, make_response, request
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from sqlalchemy import func, select

from dashboard.extensions import db
from dashboard.jobs.models import STATES, Job

# With PROMETHEUS_MULTIPROC_DIR set (gunicorn, several workers), prometheus_client keeps every value in a
# file per process there, and a scrape adds them up: any worker answers for all of them.
REQUEST_LATENCY = Histogram("angelcx_http_request_duration_seconds", "Time to answer a request",
                            ["endpoint", "method", "status"])
JOB_OUTCOMES = Counter("angelcx_jobs_finished", "Job attempts by kind and outcome (done, retry, dead)",
                       ["kind", "outcome"])
WEBHOOK_RECEIPTS = Counter("angelcx_webhooks_received", "Webhook deliveries received, by source and outcome",
                           ["source", "outcome"])
EMAILS = Counter("angelcx_emails", "Follow-up emails by outcome (sent, retrying, failed)", ["outcome"])
EXTERNAL_LATENCY = Histogram("angelcx_external_call_duration_seconds", "Time spent calling an external service",
                             ["service", "outcome"])
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


@contextmanager
def timed_call(service: str) -> Iterator[None]:
    """Time the block as one call to `service` (stripe, ultravox, llm, smtp); an exception is outcome "error"."""
    started = time.perf_counter()
    outcome = "error"
    try:
        yield
        outcome = "ok"
    finally:
        EXTERNAL_LATENCY.labels(service, outcome).observe(time.perf_counter() - started)


def counts_webhook(source: str) -> Callable:
    """Count a webhook view's receipts by outcome: "accepted" (2xx), "refused" (4xx), "failed" (5xx or raised)."""

    def decorate(view: Callable) -> Callable:
        @functools.wraps(view)
        def counted(*args, **kwargs):
            outcome = "failed"
            try:
                response = make_response(view(*args, **kwargs))
                status = response.status_code
                outcome = "accepted" if status < 400 else "refused" if status < 500 else "failed"
                return response
            finally:
                WEBHOOK_RECEIPTS.labels(source, outcome).inc()

        return counted

    return decorate


def multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


class _JobDepth:
    """Jobs by state, counted in the job table at scrape time (the table is the queue's truth, not Redis)."""

    def collect(self):
        counts = dict(db.session.execute(select(Job.state, func.count()).group_by(Job.state)).all())
        family = GaugeMetricFamily("angelcx_jobs", "Jobs in the job table by state", labels=["state"])
        for state in STATES:
            family.add_metric([state], counts.get(state, 0))
        yield family


def _job_depth() -> bytes:
    registry = CollectorRegistry()
    registry.register(_JobDepth())
    return generate_latest(registry)


def exposition() -> bytes:
    """Every metric in Prometheus' text format: this process's (or all workers') figures and the job table's."""
    if multiprocess_dir():
        registry = CollectorRegistry()
        MultiProcessCollector(registry)
    else:
        registry = REGISTRY
    return generate_latest(registry) + _job_depth()


def token_state() -> str:
    """"off" without METRICS_TOKEN, "ok" when the request carries it as a bearer token, else "refused"."""
    expected = current_app.config.get("METRICS_TOKEN")
    if not expected:
        return "off"
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), expected.encode()):
        return "ok"
    return "refused"


def init_app(app: Flask) -> None:
    """Time every request, labelled by its endpoint (never its raw path: ids would explode the label set)."""

    @app.before_request
    def _start_timer():
        g.metrics_started = time.perf_counter()

    @app.after_request
    def _observe(response):
        started = g.pop("metrics_started", None)
        if started is not None:
            REQUEST_LATENCY.labels(request.endpoint or "unmatched", request.method,
                                   str(response.status_code)).observe(time.perf_counter() - started)
        return response
