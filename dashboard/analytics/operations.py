"""Aggregates over a customer's conversations, computed in SQL."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import case, func, select

from dashboard.agents.models import Agent
from dashboard.conversations.models import Analysis, Conversation
from dashboard.conversations.sentiment import BANDS, in_band
from dashboard.database import utcnow
from dashboard.extensions import db


@dataclass(frozen=True)
class Overview:
    agents: int
    conversations: int
    voice: int
    chat: int
    call_minutes: Decimal
    text_messages: int
    average_sentiment: float | None
    positive_share: float | None


def overview(customer_id: int, days: int) -> Overview:
    """Counts and averages over the customer's conversations of the last `days` days."""
    since = utcnow() - timedelta(days=days)
    row = db.session.execute(
        select(
            func.count(Conversation.session_id),
            func.count(case((Conversation.channel == "voice", 1))),
            func.coalesce(func.sum(Conversation.call_minutes_used), 0),
            func.coalesce(func.sum(Conversation.text_messages_used), 0),
            func.avg(Analysis.sentiment),
            func.avg(case((in_band(Analysis.sentiment, "positive"), 1.0), (Analysis.sentiment.is_not(None), 0.0))),
        )
        .select_from(Conversation)
        .outerjoin(Analysis, Analysis.session_id == Conversation.session_id)
        .where(Conversation.customer_id == customer_id, Conversation.created_at >= since)
    ).one()
    agents = db.session.scalar(select(func.count(Agent.agent_id)).where(Agent.customer_id == customer_id))
    total, voice, minutes, texts, sentiment, positive = row
    return Overview(
        agents=agents or 0,
        conversations=total,
        voice=voice,
        chat=total - voice,
        call_minutes=Decimal(minutes).quantize(Decimal("0.1")),
        text_messages=int(texts),
        average_sentiment=None if sentiment is None else round(float(sentiment), 2),
        positive_share=None if positive is None else round(float(positive) * 100),
    )


def _period(customer_id: int, days: int):
    since = utcnow() - timedelta(days=days)
    return [Conversation.customer_id == customer_id, Conversation.created_at >= since]


def daily_volume(customer_id: int, days: int) -> list[dict]:
    """Conversations per day and channel, oldest first."""
    day = func.date(Conversation.created_at)
    rows = db.session.execute(
        select(day, func.count(case((Conversation.channel == "voice", 1))),
               func.count(case((Conversation.channel == "chat", 1))))
        .where(*_period(customer_id, days)).group_by(day).order_by(day)
    ).all()
    return [{"day": str(d), "voice": voice, "chat": chat} for d, voice, chat in rows]


def breakdown(customer_id: int, days: int, column) -> list[dict]:
    """Conversation count and average sentiment per value of an analysis column (intent, category)."""
    rows = db.session.execute(
        select(column, func.count(), func.avg(Analysis.sentiment))
        .select_from(Conversation).join(Analysis, Analysis.session_id == Conversation.session_id)
        .where(*_period(customer_id, days), column.is_not(None))
        .group_by(column).order_by(func.count().desc())
    ).all()
    return [{"name": name, "count": count, "sentiment": round(float(avg or 0), 2)} for name, count, avg in rows]


def sentiment_bands(customer_id: int, days: int) -> dict:
    """How many analysed conversations fell in each sentiment band (conversations.sentiment)."""
    counts = db.session.execute(
        select(*(func.count(case((in_band(Analysis.sentiment, name), 1))) for name in BANDS))
        .select_from(Conversation).join(Analysis, Analysis.session_id == Conversation.session_id)
        .where(*_period(customer_id, days))
    ).one()
    return dict(zip(BANDS, counts, strict=True))


def by_agent(customer_id: int, days: int) -> list[dict]:
    """Per agent: conversations, minutes, average sentiment (deleted agents grouped together)."""
    rows = db.session.execute(
        select(Agent.name, func.count(Conversation.session_id),
               func.coalesce(func.sum(Conversation.call_minutes_used), 0), func.avg(Analysis.sentiment))
        .select_from(Conversation)
        .outerjoin(Agent, Agent.agent_id == Conversation.agent_id)
        .outerjoin(Analysis, Analysis.session_id == Conversation.session_id)
        .where(*_period(customer_id, days))
        .group_by(Agent.agent_id, Agent.name).order_by(func.count(Conversation.session_id).desc())
    ).all()
    return [{"name": name or "Deleted agent", "count": count, "minutes": Decimal(minutes).quantize(Decimal("0.1")),
             "sentiment": None if avg is None else round(float(avg), 2)} for name, count, minutes, avg in rows]
