"""Aggregates over a customer's conversations, computed in SQL."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import case, func, select

from dashboard.agents.models import Agent
from dashboard.conversations.models import Analysis, Conversation
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
            func.avg(case((Analysis.sentiment > 0.05, 1.0), (Analysis.sentiment.is_not(None), 0.0))),
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
