"""The integrations catalog."""
from flask import render_template

from dashboard.integrations import bp
from dashboard.integrations.operations import catalog_with_connections
from dashboard.tenancy import current_customer


@bp.get("/")
def index():
    return render_template("integrations/index.html", apps=catalog_with_connections(current_customer.customer_id))
