"""Visitors, conversations (the seed's `session`), their messages and analyses."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, Numeric, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dashboard.database import CustomerOwned, JSONType, TimestampMixin, UTCDateTime, utcnow
from dashboard.extensions import db


class Visitor(CustomerOwned, TimestampMixin, db.Model):
    """A person who talks to an agent; always belongs to exactly one customer."""

    __tablename__ = "visitor"
    __table_args__ = (Index("ix_visitor_customer_id_email", "customer_id", "email"),)

    visitor_id: Mapped[int] = mapped_column(primary_key=True)
    # Not in the seed: without an owner a visitor (and their contact details) would be shared.
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.customer_id", ondelete="CASCADE"), index=True)
    name: Mapped[str | None] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(255))


class Conversation(CustomerOwned, db.Model):
    """One voice call or chat between a visitor and an agent."""

    __tablename__ = "session"
    __table_args__ = (
        Index("ix_session_customer_id_created_at", "customer_id", "created_at", "session_id"),
        Index("ix_session_agent_id_created_at", "agent_id", "created_at", "session_id"),
        # Over-limit conversations are rare: a partial index finds them without scanning the rest.
        Index("ix_session_over_limit", "customer_id", "created_at", "session_id",
              postgresql_where=text("over_limit"), sqlite_where=text("over_limit = 1")),
    )

    session_id: Mapped[int] = mapped_column(primary_key=True)
    # Not in the seed: the owner is kept on the row so a conversation outlives its agent's deletion
    # and so lists filter by customer without a join.
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.customer_id", ondelete="CASCADE"))
    visitor_id: Mapped[int | None] = mapped_column(ForeignKey("visitor.visitor_id", ondelete="SET NULL"), index=True)
    ultravox_call_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agent.agent_id", ondelete="SET NULL"))
    channel: Mapped[str] = mapped_column(String(8), default="chat")  # voice | chat
    is_active: Mapped[bool] = mapped_column(Boolean, default=False)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    call_minutes_used: Mapped[Decimal] = mapped_column(Numeric(5, 2), default=Decimal("0"))
    text_messages_used: Mapped[int] = mapped_column(Integer, default=0)
    over_limit: Mapped[bool] = mapped_column(Boolean, default=False)

    visitor: Mapped[Visitor | None] = relationship()
    analysis: Mapped[Analysis | None] = relationship(back_populates="conversation", uselist=False)


class Message(db.Model):
    """One turn of a conversation: agent, visitor, or a tool call and its result."""

    __tablename__ = "message"
    __table_args__ = (Index("ix_message_session_id_timestamp", "session_id", "timestamp", "message_id"),)

    message_id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("session.session_id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(16))  # agent | visitor | tool_call | tool_result
    content: Mapped[str] = mapped_column(Text)
    timestamp: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    tool_name: Mapped[str | None] = mapped_column(String(64))


class Analysis(db.Model):
    """The insights computed after a conversation ends."""

    __tablename__ = "analytics"
    __table_args__ = (
        Index("ix_analytics_category", "category"),
        Index("ix_analytics_intent", "intent"),
        Index("ix_analytics_sentiment", "sentiment"),
    )

    analytics_id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("session.session_id", ondelete="CASCADE"), unique=True)
    call_summary: Mapped[str | None] = mapped_column(Text)
    intent: Mapped[str | None] = mapped_column(String(64))
    sentiment: Mapped[float | None] = mapped_column(Float)
    sentiment_justification: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str | None] = mapped_column(String(64))
    category_description: Mapped[str | None] = mapped_column(Text)
    action: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    sentiment_detailed: Mapped[list | None] = mapped_column(JSONType)

    conversation: Mapped[Conversation] = relationship(back_populates="analysis")
