"""Integrations pages."""
from flask import render_template

from dashboard.integrations import bp


@bp.get("/")
def index():
    return render_template(
        "core/coming_soon.html",
        title="Integrations",
        coming="Third-party app connections over OAuth, per agent.",
    )
