"""/metrics: Prometheus figures for requests, jobs and webhooks, behind a bearer token, summed over gunicorn's workers."""
from __future__ import annotations

import subprocess
import sys

import requests
from prometheus_client.parser import text_string_to_metric_families

from dashboard.extensions import db
from dashboard.jobs import defer, dispatch_pending
from tests.core.test_jobs import append_line, lines
from tests.live_servers import ROOT, app_environment, free_port, stop, wait_for

TOKEN = "metrics-token-for-tests-0123456789"
BEARER = {"Authorization": f"Bearer {TOKEN}"}


def samples(text: str) -> dict[tuple, float]:
    """Every sample as {(name, (label, value), ...): value}."""
    return {(sample.name, *sorted(sample.labels.items())): sample.value
            for family in text_string_to_metric_families(text) for sample in family.samples}


def scrape(client) -> dict[tuple, float]:
    response = client.get("/metrics", headers=BEARER)
    assert response.status_code == 200 and response.content_type.startswith("text/plain")
    return samples(response.get_data(as_text=True))


def requests_to(figures: dict, endpoint: str, status: str) -> float:
    return figures.get(("angelcx_http_request_duration_seconds_count", ("endpoint", endpoint), ("method", "GET"),
                        ("status", status)), 0)


def test_metrics_do_not_exist_without_a_token_configured(make_app):
    assert make_app().test_client().get("/metrics").status_code == 404


def test_metrics_refuse_a_missing_or_wrong_token(make_app):
    client = make_app(METRICS_TOKEN=TOKEN).test_client()
    missing = client.get("/metrics")
    wrong = client.get("/metrics", headers={"Authorization": "Bearer not-the-token"})
    for response in (missing, wrong):
        assert response.status_code == 401 and response.mimetype == "application/problem+json"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert "angelcx" not in response.get_data(as_text=True)


def test_metrics_show_requests_jobs_and_webhooks_after_they_happen(make_app, tmp_path):
    app = make_app(METRICS_TOKEN=TOKEN, ULTRAVOX_WEBHOOK_SECRET="whsec-test")
    client = app.test_client()
    kind = "tests.core.test_jobs:append_line"
    before = scrape(client)

    for _ in range(3):
        client.get("/healthz")
    client.get("/agents/999999")  # not signed in: a redirect, labelled by the route, not the raw path
    client.post("/webhooks/ultravox", data=b"{}", headers={"X-Ultravox-Webhook-Signature": "forged"})
    with app.app_context():
        defer(append_line, str(tmp_path / "ran"), "once")
        db.session.commit()
        dispatch_pending()  # no REDIS_URL: the job runs inline, as after a request
    assert lines(tmp_path / "ran") == ["once"]

    after = scrape(client)
    assert requests_to(after, "core.healthz", "200") - requests_to(before, "core.healthz", "200") == 3
    assert not any("999999" in str(key) for key in after)
    done = ("angelcx_jobs_finished_total", ("kind", kind), ("outcome", "done"))
    assert after[done] - before.get(done, 0) == 1
    assert after[("angelcx_jobs", ("state", "done"))] == 1  # the job table's depth by state, read at scrape time
    assert after[("angelcx_jobs", ("state", "queued"))] == 0
    refused = ("angelcx_webhooks_received_total", ("outcome", "refused"), ("source", "ultravox"))
    assert after[refused] - before.get(refused, 0) == 1


def test_gunicorn_from_its_config_file_sums_every_workers_figures(migrated, tmp_path):
    """Two workers in multi-process mode: whichever answers the scrape reports the requests both served."""
    port = free_port()
    env = app_environment(migrated, tmp_path / "instance", METRICS_TOKEN=TOKEN, WEB_CONCURRENCY=2,
                          GUNICORN_BIND=f"127.0.0.1:{port}", PROMETHEUS_MULTIPROC_DIR=tmp_path / "prometheus")
    server = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"], cwd=ROOT,
                              env=env, stdout=(tmp_path / "gunicorn.log").open("w"), stderr=subprocess.STDOUT,
                              start_new_session=True)
    base = f"http://127.0.0.1:{port}"
    try:
        def live():
            try:
                return requests.get(f"{base}/healthz", timeout=1).json() == {"status": "ok"}
            except requests.RequestException:
                return False

        wait_for(live, 30, "gunicorn answering /healthz")
        def workers_with_figures() -> int:
            return len(list((tmp_path / "prometheus").glob("histogram_*.db")))

        sent = 0
        while sent < 20 or (workers_with_figures() < 2 and sent < 500):  # a new connection each: both workers serve
            requests.get(f"{base}/readyz", timeout=5).raise_for_status()
            sent += 1
        assert workers_with_figures() == 2, f"{sent} requests reached one worker only"
        for _ in range(4):  # every scrape, whichever worker takes it, counts what both served
            figures = samples(requests.get(f"{base}/metrics", headers=BEARER, timeout=5).text)
            assert requests_to(figures, "core.readyz", "200") == sent
        log = (tmp_path / "gunicorn.log").read_text()
        assert "request_id=" in log and "[ERROR]" not in log
    finally:
        stop(server)
