"""The analytics page: charts over every conversation of a period."""
from flask import request

from dashboard.analytics import bp
from dashboard.analytics.operations import breakdown, by_agent, daily_volume, overview, sentiment_bands
from dashboard.conversations.models import Analysis
from dashboard.fragments import render_page_or_fragment
from dashboard.tenancy import current_customer

PERIODS = (7, 30, 90)


@bp.get("/")
def index():
    days = request.args.get("days", type=int)
    days = days if days in PERIODS else 30
    customer_id = current_customer.customer_id
    context = {
        "days": days, "periods": PERIODS,
        "stats": overview(customer_id, days),
        "charts": {
            "volume": daily_volume(customer_id, days),
            "sentiment": sentiment_bands(customer_id, days),
            "intents": breakdown(customer_id, days, Analysis.intent),
            "categories": breakdown(customer_id, days, Analysis.category),
        },
        "agents": by_agent(customer_id, days),
    }
    return render_page_or_fragment("analytics/index.html", "analytics/_report.html", context)
