"""The Leads page: leads with their match counts, and the services they are matched to."""
from flask import request

from dashboard.crm import bp
from dashboard.crm.models import Service
from dashboard.crm.operations import LEAD_ORDER, leads_with_match_counts
from dashboard.extensions import db
from dashboard.fragments import render_page_or_fragment
from dashboard.pagination import keyset_page
from dashboard.tenancy import current_customer, scoped

PAGE = 50
STATUSES = ("active", "inactive", "archived")


@bp.get("/")
def index():
    q = (request.args.get("q") or "").strip()[:100]
    status = request.args.get("status") if request.args.get("status") in STATUSES else None
    cursor = request.args.get("cursor")
    page = keyset_page(leads_with_match_counts(current_customer.customer_id, q or None, status), LEAD_ORDER,
                       cursor, PAGE)
    context = {"rows": page.rows, "next_cursor": page.next_cursor, "q": q, "status": status, "statuses": STATUSES}
    return render_page_or_fragment("crm/index.html", "crm/_rows.html" if cursor else "crm/_results.html", context,
                                   page_context=_services)


def _services() -> dict:
    """The services panel, on the full page only."""
    return {"services": db.session.scalars(scoped(Service).order_by(Service.type, Service.service_id)).all()}
