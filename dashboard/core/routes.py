"""Home (the overview: the last 30 days against the 30 before, what needs attention, a setup checklist), the load balancer's /healthz and /readyz, and Prometheus' /metrics."""
from __future__ import annotations

from flask import Response, abort, jsonify, redirect, render_template, url_for

from dashboard import metrics
from dashboard.access import public
from dashboard.core import bp
from dashboard.core.overview import overview
from dashboard.core.readiness import readiness
from dashboard.errors import problem
from dashboard.tenancy import current_customer


@bp.get("/")
def home():
    return render_template("core/home.html", **overview(current_customer.customer_id))


@bp.get("/favicon.ico")
@public
def favicon():
    """Browsers ask for /favicon.ico whatever the page links: send them to the icon (an SVG, linked from every page)."""
    response = redirect(url_for("static", filename="favicon.svg"), 301)
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.get("/healthz")
@public
def healthz():
    """Liveness: the process answers. No dependency is asked, so an outage never gets healthy workers killed."""
    return jsonify(status="ok")


@bp.get("/readyz")
@public
def readyz():
    """Readiness: send traffic here only while every configured dependency answers."""
    ready, checks = readiness()
    return jsonify(status="ok" if ready else "unavailable", checks=checks), 200 if ready else 503


@bp.get("/metrics")
@public
def prometheus_metrics():
    state = metrics.token_state()
    if state == "off":
        abort(404)  # without METRICS_TOKEN the endpoint does not exist
    if state == "refused":
        return problem(401, "Send the metrics token as `Authorization: Bearer <METRICS_TOKEN>`.",
                       headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    return Response(metrics.exposition(), content_type=metrics.CONTENT_TYPE)
