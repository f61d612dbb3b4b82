"""What the analytics and overview pages show, read only from the rollups (never the conversations)."""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import case, func, select

from dashboard.agents.models import Agent
from dashboard.analytics.models import DailyRollup, LabelRollup
from dashboard.analytics.rollups import LABEL_KINDS, local_day, zone_of
from dashboard.database import utcnow
from dashboard.extensions import db

MAX_DAYS = 366  # a custom range is at most a year
WEEKLY_PAST = 92  # longer ranges chart weeks, not days


@dataclass(frozen=True)
class Scope:
    """Whose conversations, over which local days (both included), of which agent and channel."""

    customer_id: int
    start: date
    end: date
    agent_id: int | None = None  # 0: conversations without an agent
    channel: str | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Scope:
        """The period of the same length just before this one."""
        return replace(self, start=self.start - timedelta(days=self.days), end=self.start - timedelta(days=1))

    def where(self, model) -> list:
        where = [model.customer_id == self.customer_id, model.day.between(self.start, self.end)]
        if self.agent_id is not None:
            where.append(model.agent_id == self.agent_id)
        if self.channel:
            where.append(model.channel == self.channel)
        return where


def today(customer_id: int) -> date:
    """Today in the customer's time zone."""
    return local_day(utcnow(), zone_of(customer_id))


def last_days(customer_id: int, days: int, **filters) -> Scope:
    end = today(customer_id)
    return Scope(customer_id, end - timedelta(days=days - 1), end, **filters)


@dataclass(frozen=True)
class Figures:
    conversations: int = 0
    voice: int = 0
    call_minutes: Decimal = Decimal("0")
    text_messages: int = 0
    messages: int = 0
    duration_seconds: int = 0
    analysed: int = 0
    sentiment_milli: int = 0
    negative: int = 0
    neutral: int = 0
    positive: int = 0
    negative_unfollowed: int = 0
    over_limit: int = 0
    emails_sent: int = 0
    emails_failed: int = 0
    followed_up: int = 0

    @property
    def chat(self) -> int:
        return self.conversations - self.voice

    @property
    def average_sentiment(self) -> float | None:
        return round(self.sentiment_milli / 1000 / self.analysed, 2) if self.analysed else None

    @property
    def positive_share(self) -> int | None:
        return round(100 * self.positive / self.analysed) if self.analysed else None

    @property
    def average_seconds(self) -> int | None:
        return round(self.duration_seconds / self.conversations) if self.conversations else None

    @property
    def messages_per_conversation(self) -> float | None:
        return round(self.messages / self.conversations, 1) if self.conversations else None

    @property
    def follow_up_share(self) -> int | None:
        return round(100 * self.followed_up / self.conversations) if self.conversations else None

    @property
    def bands(self) -> dict[str, int]:
        return {"negative": self.negative, "neutral": self.neutral, "positive": self.positive}


_SUMMED = ("conversations", "text_messages", "messages", "duration_seconds", "analysed", "sentiment_milli",
           "negative", "neutral", "positive", "negative_unfollowed", "over_limit", "emails_sent", "emails_failed",
           "followed_up")


_SUMS = [func.coalesce(func.sum(getattr(DailyRollup, name)), 0) for name in _SUMMED] + [
    func.coalesce(func.sum(case((DailyRollup.channel == "voice", DailyRollup.conversations), else_=0)), 0),
    func.coalesce(func.sum(DailyRollup.call_minutes), 0)]  # built once: the expressions are immutable


def _sums():
    return _SUMS


def _figures(row) -> Figures:
    *summed, voice, minutes = row
    return Figures(**{name: int(value) for name, value in zip(_SUMMED, summed, strict=True)}, voice=int(voice),
                   call_minutes=Decimal(str(minutes)).quantize(Decimal("0.1")))


def figures(scope: Scope) -> Figures:
    return _figures(db.session.execute(select(*_sums()).where(*scope.where(DailyRollup))).one())


def figures_with_previous(scope: Scope) -> tuple[Figures, Figures]:
    """This period's figures and the previous period's, in one statement."""
    previous = scope.previous()
    r = DailyRollup
    current = r.day >= scope.start
    rows = db.session.execute(
        select(current, *_sums()).where(*replace(scope, start=previous.start).where(r)).group_by(current)).all()
    found = {bool(row[0]): _figures(row[1:]) for row in rows}
    return found.get(True, Figures()), found.get(False, Figures())


def change(now: float | int | None, before: float | int | None) -> int | None:
    """The change in percent against the previous period; None when there is nothing to compare with."""
    if now is None or not before:
        return None
    return round(100 * (now - before) / before)


def volume(scope: Scope) -> list[dict]:
    """Conversations per day (per week past WEEKLY_PAST days) and channel, every bucket present, oldest first."""
    r = DailyRollup
    rows = db.session.execute(
        select(r.day, r.channel, func.sum(r.conversations)).where(*scope.where(r)).group_by(r.day, r.channel)).all()
    weekly = scope.days > WEEKLY_PAST
    buckets: dict[date, dict] = {}
    day = scope.start
    while day <= scope.end:
        first = day - timedelta(days=day.weekday()) if weekly else day
        bucket = buckets.setdefault(first, {"start": max(first, scope.start), "end": day, "voice": 0, "chat": 0})
        bucket["end"] = day
        day += timedelta(days=1)
    for day, channel, count in rows:
        first = day - timedelta(days=day.weekday()) if weekly else day
        if first in buckets:
            buckets[first][channel if channel in ("voice", "chat") else "chat"] += int(count)
    result = list(buckets.values())
    top = max((b["voice"] + b["chat"] for b in result), default=0)
    for bucket in result:
        bucket["total"] = bucket["voice"] + bucket["chat"]
        bucket["voice_pct"] = round(100 * bucket["voice"] / top, 1) if top else 0
        bucket["chat_pct"] = round(100 * bucket["chat"] / top, 1) if top else 0
    return result


def breakdowns(scope: Scope) -> dict[str, list[dict]]:
    """Per kind (intent, category): conversations and average sentiment per name, most frequent first."""
    r = LabelRollup
    count = func.sum(r.conversations)
    rows = db.session.execute(
        select(r.kind, r.name, count, func.sum(r.analysed), func.sum(r.sentiment_milli))
        # kind named: the bucket index (customer_id, kind, day, ...) then reads only the period's days
        .where(*scope.where(r), r.kind.in_(LABEL_KINDS)).group_by(r.kind, r.name).having(count > 0)
        .order_by(r.kind, count.desc(), r.name)
    ).all()
    result: dict[str, list[dict]] = {"intent": [], "category": []}
    for kind, name, n, a, s in rows:
        result.setdefault(kind, []).append(
            {"name": name, "count": int(n), "sentiment": round(int(s) / 1000 / int(a), 2) if a else None})
    return result


def breakdown(scope: Scope, kind: str) -> list[dict]:
    """Conversations and average sentiment per intent or category, most frequent first."""
    return breakdowns(scope)[kind]


def by_agent(scope: Scope, agents: list[tuple[int, str]] | None = None) -> list[dict]:
    """Per agent, side by side: the figures of each agent's conversations (deleted agents grouped as one).
    `agents`: the customer's (id, name) pairs when the caller already read them (agents_of)."""
    r = DailyRollup
    rows = db.session.execute(
        select(r.agent_id, *_sums()).where(*scope.where(r)).group_by(r.agent_id)).all()
    names = dict(agents if agents is not None else agents_of(scope.customer_id))
    result = [{"agent_id": agent_id, "name": names.get(agent_id) or ("No agent" if not agent_id else "Deleted agent"),
               "deleted": bool(agent_id) and agent_id not in names, "figures": _figures(rest)}
              for agent_id, *rest in rows]
    result = [row for row in result if row["figures"].conversations]
    return sorted(result, key=lambda row: (-row["figures"].conversations, row["name"]))


def agents_of(customer_id: int) -> list[tuple[int, str]]:
    return db.session.execute(
        select(Agent.agent_id, Agent.name).where(Agent.customer_id == customer_id).order_by(Agent.name)).all()
