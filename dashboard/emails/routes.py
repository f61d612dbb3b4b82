"""Emails pages."""
from flask import render_template

from dashboard.emails import bp


@bp.get("/")
def index():
    return render_template(
        "core/coming_soon.html",
        title="Emails",
        coming="Follow-up email templates your agents send, and the log of every send.",
    )
