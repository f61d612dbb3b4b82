"""Home (an overview of the last 30 days) and /healthz."""
from __future__ import annotations

from flask import jsonify, render_template
from sqlalchemy import text

from dashboard.access import public
from dashboard.analytics.operations import overview
from dashboard.core import bp
from dashboard.extensions import db
from dashboard.tenancy import current_customer


@bp.get("/")
def home():
    return render_template("core/home.html", stats=overview(current_customer.customer_id, days=30))


@bp.get("/healthz")
@public
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:
        db.session.rollback()
        return jsonify(status="unavailable", database="unreachable"), 503
    return jsonify(status="ok", database="ok")
