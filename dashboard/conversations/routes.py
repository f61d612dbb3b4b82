"""Conversations pages."""
from flask import render_template

from dashboard.conversations import bp


@bp.get("/")
def index():
    return render_template(
        "core/coming_soon.html",
        title="Conversations",
        coming="Every conversation's transcript and analysis, with search, filters and export.",
    )
