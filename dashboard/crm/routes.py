"""The Leads page: leads with their match counts, and the services they are matched to."""
from flask import render_template, request

from dashboard.crm import bp
from dashboard.crm.models import Service
from dashboard.crm.operations import leads_with_match_counts
from dashboard.extensions import db, htmx
from dashboard.ids import id_arg
from dashboard.tenancy import current_customer, scoped

PAGE = 50
STATUSES = ("active", "inactive", "archived")


@bp.get("/")
def index():
    q = (request.args.get("q") or "").strip()[:100]
    status = request.args.get("status") if request.args.get("status") in STATUSES else None
    after = request.args.get("after", type=id_arg)
    rows = leads_with_match_counts(current_customer.customer_id, q or None, status, PAGE + 1, after)
    context = {"rows": rows[:PAGE], "next_after": rows[PAGE - 1][0].lead_id if len(rows) > PAGE else None,
               "q": q, "status": status, "statuses": STATUSES}
    if htmx:
        return render_template("crm/_rows.html" if after else "crm/_results.html", **context)
    services = db.session.scalars(scoped(Service).order_by(Service.type, Service.service_id)).all()
    return render_template("crm/index.html", services=services, **context)
