"""Billing pages."""
from flask import render_template

from dashboard.billing import bp


@bp.get("/")
def index():
    return render_template(
        "core/coming_soon.html",
        title="Billing",
        coming="Plans, Stripe Checkout, your contract and usage against every plan limit.",
    )
