"""Rollups: what the charts count, per customer, agent, channel and local day, kept current with every change.

`analytics_entry` records what one ended conversation contributes (its local day, agent, channel, measures,
sentiment band, intent, category, emails), so a change (a re-analysis, an email sent or failed, a billed
duration) moves exactly that contribution between buckets. `analytics_daily` and `analytics_daily_label`
are the sums the pages read; neither grows with the number of conversations, only with days × agents ×
channels (× intents and categories). `agent_id` 0 means "no agent" (the column is not a foreign key: a
deleted agent's history keeps its buckets, shown as "Deleted agent").
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Index, Integer, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column

from dashboard.database import CustomerOwned
from dashboard.extensions import db

MEASURES = ("conversations", "duration_seconds", "call_minutes", "text_messages", "messages", "analysed",
            "sentiment_milli", "negative", "neutral", "positive", "negative_unfollowed", "over_limit",
            "emails_sent", "emails_failed", "followed_up")


class AnalyticsEntry(db.Model):
    """One ended conversation's contribution to the rollups (written and read by session id only)."""

    __tablename__ = "analytics_entry"
    __table_args__ = (Index("ix_analytics_entry_customer_id", "customer_id", "session_id"),)

    session_id: Mapped[int] = mapped_column(ForeignKey("session.session_id", ondelete="CASCADE"), primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.customer_id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    agent_id: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(8))
    duration_seconds: Mapped[int] = mapped_column(Integer)
    call_minutes: Mapped[Decimal] = mapped_column(Numeric(7, 2))
    text_messages: Mapped[int] = mapped_column(Integer)
    messages: Mapped[int] = mapped_column(Integer)
    over_limit: Mapped[bool] = mapped_column(Boolean)
    sentiment_milli: Mapped[int | None] = mapped_column(Integer)  # the score × 1000: sums stay exact
    band: Mapped[str | None] = mapped_column(String(8))
    intent: Mapped[str | None] = mapped_column(String(64))
    category: Mapped[str | None] = mapped_column(String(64))
    emails_sent: Mapped[int] = mapped_column(Integer)
    emails_failed: Mapped[int] = mapped_column(Integer)


class DailyRollup(CustomerOwned, db.Model):
    """Sums over a customer's ended conversations of one local day, agent and channel."""

    __tablename__ = "analytics_daily"
    __table_args__ = (
        Index("uq_analytics_daily_bucket", "customer_id", "day", "agent_id", "channel", unique=True),
    )

    analytics_daily_id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.customer_id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    agent_id: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(8))
    conversations: Mapped[int] = mapped_column(Integer, default=0)
    duration_seconds: Mapped[int] = mapped_column(BigInteger, default=0)
    call_minutes: Mapped[Decimal] = mapped_column(Numeric(14, 2), default=Decimal("0"))
    text_messages: Mapped[int] = mapped_column(BigInteger, default=0)
    messages: Mapped[int] = mapped_column(BigInteger, default=0)
    analysed: Mapped[int] = mapped_column(Integer, default=0)
    sentiment_milli: Mapped[int] = mapped_column(BigInteger, default=0)
    negative: Mapped[int] = mapped_column(Integer, default=0)
    neutral: Mapped[int] = mapped_column(Integer, default=0)
    positive: Mapped[int] = mapped_column(Integer, default=0)
    negative_unfollowed: Mapped[int] = mapped_column(Integer, default=0)  # negative, no email sent
    over_limit: Mapped[int] = mapped_column(Integer, default=0)
    emails_sent: Mapped[int] = mapped_column(Integer, default=0)
    emails_failed: Mapped[int] = mapped_column(Integer, default=0)
    followed_up: Mapped[int] = mapped_column(Integer, default=0)  # conversations with an email sent


class LabelRollup(CustomerOwned, db.Model):
    """Per local day, agent and channel: conversations of one intent or category, and their sentiment."""

    __tablename__ = "analytics_daily_label"
    __table_args__ = (
        Index("uq_analytics_daily_label_bucket", "customer_id", "kind", "day", "agent_id", "channel", "name",
              unique=True),
    )

    analytics_daily_label_id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.customer_id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(8))  # intent | category
    day: Mapped[date] = mapped_column(Date)
    agent_id: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(String(64))
    conversations: Mapped[int] = mapped_column(Integer, default=0)
    analysed: Mapped[int] = mapped_column(Integer, default=0)
    sentiment_milli: Mapped[int] = mapped_column(BigInteger, default=0)
