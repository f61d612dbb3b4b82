"""The overview a customer opens first: the last 30 days against the 30 before, the trend, what needs attention,
the latest conversations, and for a new customer the setup checklist. Figures come from the rollups only."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from flask import url_for
from sqlalchemy import exists, func, select

from dashboard.agents.models import Agent
from dashboard.analytics.models import DailyRollup
from dashboard.analytics.operations import Figures, change, figures_with_previous, last_days, volume
from dashboard.analytics.rollups import local_day, zone_of
from dashboard.billing.entitlements import active_contract, usage_period
from dashboard.billing.operations import projected_limit_date
from dashboard.conversations import search
from dashboard.conversations.models import Conversation
from dashboard.database import utcnow
from dashboard.extensions import db
from dashboard.integrations.models import ThirdPartyOAuth
from dashboard.templating import customer_zone

PERIOD_DAYS = 30
LATEST = 5


@dataclass(frozen=True)
class Attention:
    text: str
    count: int | None
    url: str
    action: str
    tone: str = "warn"


@dataclass(frozen=True)
class Step:
    text: str
    done: bool
    url: str
    action: str


def _link(scope, **filters) -> str:
    args = {"start": scope.start.isoformat(), "end": scope.end.isoformat(), "status": "ended", "via": "overview",
            **filters}
    return url_for("conversations.index") + "?" + urlencode(args)


def needs_attention(customer_id: int, scope, figures: Figures, contract, expired: int) -> list[Attention]:
    """What to look at, with links (`contract`: the active one or None; `expired`: connections that need
    reconnecting, counted by `agents_and_expired_connections`)."""
    items = []
    if figures.negative_unfollowed:
        items.append(Attention("Negative conversations without a follow-up email", figures.negative_unfollowed,
                               _link(scope, sentiment="negative"), "Read them", "danger"))
    if figures.emails_failed:
        items.append(Attention("Follow-up emails that failed", figures.emails_failed,
                               url_for("emails.index", status="failed"), "See the send log", "danger"))
    if figures.over_limit:
        items.append(Attention("Conversations over your plan's limit", figures.over_limit,
                               _link(scope, over_limit="y"), "See them"))
    if expired:
        items.append(Attention("Connections that need reconnecting", expired, url_for("agents.index"),
                               "Open your agents"))
    items.extend(_running_out(customer_id, contract))
    return items


def _running_out(customer_id: int, contract) -> list[Attention]:
    """Limits that, at this period's pace so far (from the rollups), run out before the period ends (`contract`:
    the customer's active one, or None)."""
    window = usage_period(contract)
    if contract is None or window is None:
        return []
    r = DailyRollup
    minutes, texts = db.session.execute(
        select(func.coalesce(func.sum(r.call_minutes), 0), func.coalesce(func.sum(r.text_messages), 0))
        .where(r.customer_id == customer_id, r.day >= local_day(window[0], zone_of(customer_id)))).one()
    items = []
    for used, allowed, what in ((minutes, contract.access.max_call_minutes, "call minutes"),
                                (texts, contract.access.max_text_messages, "text messages")):
        projected: datetime | None = projected_limit_date(used, allowed, *window, utcnow())
        if projected is not None:
            when = projected.astimezone(customer_zone()).strftime("%b %d")
            items.append(Attention(f"At this pace your {what} run out on {when}, before the period ends", None,
                                   url_for("billing.index"), "See your plan"))
    return items


def setup_steps(customer_id: int, contract) -> list[Step]:
    first_agent = db.session.scalar(select(Agent.agent_id).where(Agent.customer_id == customer_id)
                                    .order_by(Agent.agent_id).limit(1))
    has = lambda *where: db.session.scalar(select(exists().where(*where)))  # noqa: E731
    return [
        Step("Choose a plan", contract is not None, url_for("billing.plans"), "See plans"),
        Step("Build your first agent", first_agent is not None, url_for("agents.new"), "New agent"),
        Step("Put the widget on your site (done once a first call comes in through it)",
             has(Conversation.customer_id == customer_id, Conversation.channel == "voice"),
             url_for("agents.show", agent_id=first_agent) + "#embed" if first_agent else url_for("agents.index"),
             "Get the snippet"),
        Step("Have a first conversation", has(Conversation.customer_id == customer_id),
             url_for("conversations.index"), "See conversations"),
    ]


def agents_and_expired_connections(customer_id: int) -> tuple[int, int]:
    """How many agents the customer has and how many of their connections expired without a refresh token
    (one statement)."""
    agents = select(func.count()).where(Agent.customer_id == customer_id).scalar_subquery()
    expired = (select(func.count()).select_from(ThirdPartyOAuth).join(Agent, Agent.agent_id == ThirdPartyOAuth.agent_id)
               .where(Agent.customer_id == customer_id, ThirdPartyOAuth.refresh_token.is_(None),
                      ThirdPartyOAuth.expiry < utcnow()).scalar_subquery())
    return tuple(db.session.execute(select(agents, expired)).one())


def overview(customer_id: int) -> dict:
    scope = last_days(customer_id, PERIOD_DAYS)
    now, before = figures_with_previous(scope)
    contract = active_contract(customer_id)
    # The checklist is shown only to a customer without conversations in either period: others skip its queries.
    steps = setup_steps(customer_id, contract) if not (now.conversations or before.conversations) else None
    agents, expired = agents_and_expired_connections(customer_id)
    latest = search.page(customer_id, search.Filters(zone=customer_zone()), None, size=LATEST).rows
    return {
        "scope": scope, "figures": now, "previous": before,
        "changes": {"conversations": change(now.conversations, before.conversations),
                    "call_minutes": change(now.call_minutes, before.call_minutes),
                    "average_sentiment": change(now.average_sentiment, before.average_sentiment),
                    "follow_up_share": change(now.follow_up_share, before.follow_up_share)},
        "trend": volume(scope), "attention": needs_attention(customer_id, scope, now, contract, expired),
        "latest": latest, "steps": steps, "new_customer": steps is not None and not all(step.done for step in steps),
        "agents": agents,
        "trend_link": lambda **filters: _link(scope, **filters),
        "since": scope.start - timedelta(days=0),
    }
