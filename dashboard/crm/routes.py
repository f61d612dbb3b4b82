"""Leads pages."""
from flask import render_template

from dashboard.crm import bp


@bp.get("/")
def index():
    return render_template(
        "core/coming_soon.html",
        title="Leads",
        coming="Leads, services and matches, also served over the JSON API.",
    )
