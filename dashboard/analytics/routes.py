"""Analytics pages."""
from flask import render_template

from dashboard.analytics import bp


@bp.get("/")
def index():
    return render_template(
        "core/coming_soon.html",
        title="Analytics",
        coming="Charts over all conversations: volume, sentiment, intents and categories.",
    )
