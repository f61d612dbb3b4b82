"""The analytics page: figures, charts and the per-agent comparison of a period, read from the rollups."""
from urllib.parse import urlencode

from flask import request, url_for

from dashboard.analytics import bp
from dashboard.analytics.forms import ReportForm
from dashboard.analytics.operations import agents_of, breakdowns, by_agent, change, figures_with_previous, volume
from dashboard.conversations import sentiment
from dashboard.fragments import render_page_or_fragment
from dashboard.tenancy import current_customer


class DrillDown:
    """Links to the conversations list with the report's filters and a chart segment's or table row's own.

    A year's chart has hundreds of links: the report's part of the query string is encoded once per set of
    overridden names, not by url_for for each link."""

    def __init__(self, base: str, scope):
        self.base = base
        self.common = {"start": scope.start.isoformat(), "end": scope.end.isoformat(), "status": "ended",
                       "via": "analytics", "agent": scope.agent_id, "channel": scope.channel}
        self.encoded: dict[frozenset, str] = {}

    def __call__(self, **filters) -> str:
        names = frozenset(filters)
        if names not in self.encoded:
            self.encoded[names] = urlencode(
                {k: v for k, v in self.common.items() if k not in names and v not in (None, "")})
        own = urlencode({k: v for k, v in filters.items() if v not in (None, "")})
        return f"{self.base}?{self.encoded[names]}" + (f"&{own}" if own else "")


def _segment_link(link: DrillDown, kind: str):
    return lambda row: link(**{kind: row["name"]})


def label(name: str) -> str:
    return name.replace("_", " ").capitalize()


@bp.get("/")
def index():
    customer_id = current_customer.customer_id
    agents = agents_of(customer_id)
    form = ReportForm(request.args, customer_id, agents)
    context = {"form": form, "report": None}
    if not form.validate():
        return render_page_or_fragment("analytics/index.html", "analytics/_report.html", context, status=422)
    scope = form.scope()
    now, before = figures_with_previous(scope)
    context["report"] = {
        "scope": scope, "figures": now, "previous": before,
        "changes": {"conversations": change(now.conversations, before.conversations),
                    "call_minutes": change(now.call_minutes, before.call_minutes),
                    "average_sentiment": change(now.average_sentiment, before.average_sentiment),
                    "follow_up_share": change(now.follow_up_share, before.follow_up_share)},
        "volume": volume(scope),
        **dict(zip(("intents", "categories"), map(breakdowns(scope).get, ("intent", "category")), strict=True)),
        "agents": by_agent(scope, agents),
    }
    context["link"] = link = DrillDown(url_for("conversations.index"), scope)
    context["links"] = {kind: _segment_link(link, kind) for kind in ("sentiment", "intent", "category")}
    context["labels"] = {"band": lambda row: sentiment.LABELS[row["name"]], "name": lambda row: label(row["name"])}
    return render_page_or_fragment("analytics/index.html", "analytics/_report.html", context)
