"""Storing a conversation with its visitor and messages in one transaction, and flagging it past the plan's limits."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from flask import current_app
from sqlalchemy import insert, select

from dashboard.billing.entitlements import usage
from dashboard.conversations.analysis import analyze_conversation
from dashboard.conversations.models import Conversation, Message, Visitor
from dashboard.extensions import db
from dashboard.jobs import defer
from dashboard.signals import conversation_ended, conversation_started


@dataclass(frozen=True)
class VisitorDetails:
    name: str | None = None
    email: str | None = None
    phone: str | None = None

    def __bool__(self) -> bool:
        return bool(self.name or self.email or self.phone)


@dataclass(frozen=True)
class IncomingMessage:
    role: str  # agent | visitor | tool_call | tool_result
    content: str
    timestamp: datetime
    tool_name: str | None = None


def visitor_for(customer_id: int, details: VisitorDetails) -> Visitor | None:
    """The customer's visitor with this email (else phone), updated with what is new; a new one otherwise."""
    if not details:
        return None
    visitor = None
    for column, value in ((Visitor.email, details.email), (Visitor.phone, details.phone)):
        if value and visitor is None:
            visitor = db.session.scalars(
                select(Visitor).where(Visitor.customer_id == customer_id, column == value)
                .order_by(Visitor.visitor_id)
            ).first()
    if visitor is None:
        visitor = Visitor(customer_id=customer_id)
        db.session.add(visitor)
    visitor.name = details.name or visitor.name
    visitor.email = details.email or visitor.email
    visitor.phone = details.phone or visitor.phone
    db.session.flush()
    return visitor


def open_conversation(customer_id: int, agent_id: int | None, channel: str, details: VisitorDetails,
                      started_at: datetime, ultravox_call_id: str | None = None) -> Conversation:
    """A new, still active conversation (flushed, not committed)."""
    visitor = visitor_for(customer_id, details)
    conversation = Conversation(
        customer_id=customer_id, agent_id=agent_id, channel=channel, is_active=True, created_at=started_at,
        visitor_id=visitor.visitor_id if visitor else None, ultravox_call_id=ultravox_call_id,
        call_minutes_used=Decimal("0"), text_messages_used=0, over_limit=False,
    )
    db.session.add(conversation)
    db.session.flush()
    conversation_started.send(current_app._get_current_object(), session_id=conversation.session_id)
    return conversation


def add_messages(conversation: Conversation, messages: list[IncomingMessage]) -> None:
    """Insert the messages in order with one statement (the FTS triggers index them)."""
    if messages:
        db.session.execute(insert(Message), [
            {"session_id": conversation.session_id, "role": m.role, "content": m.content,
             "timestamp": m.timestamp, "tool_name": m.tool_name} for m in messages
        ])


def close_conversation(conversation: Conversation, ended_at: datetime, call_minutes: Decimal = Decimal("0"),
                       text_messages: int = 0) -> None:
    """End the conversation, record what it used, and flag it when that passes the plan's limits."""
    conversation.is_active = False
    conversation.ended_at = ended_at
    conversation.call_minutes_used = call_minutes
    conversation.text_messages_used = text_messages
    db.session.flush()
    flag_over_limit(conversation)
    conversation_ended.send(current_app._get_current_object(), session_id=conversation.session_id)


def flag_over_limit(conversation: Conversation) -> None:
    """Over the limit when the period's usage, this conversation included, passes what the plan allows.

    Without an active plan nothing is included, so any use is over the limit. The conversation is
    kept either way: nothing a visitor said is lost.
    """
    used = usage(conversation.customer_id)  # carries the active contract: no second look-up
    access = used.contract.access if used.contract else None
    minutes_over = conversation.call_minutes_used > 0 and (
        access is None or used.call_minutes > access.max_call_minutes)
    texts_over = conversation.text_messages_used > 0 and (
        access is None or used.text_messages > access.max_text_messages)
    conversation.over_limit = bool(minutes_over or texts_over)
    db.session.flush()


def record_chat(customer_id: int, agent_id: int, details: VisitorDetails, messages: list[IncomingMessage],
                ended_at: datetime) -> Conversation:
    """Store a finished text chat whole (or nothing), count its messages, and queue its analysis with it."""
    try:
        conversation = open_conversation(customer_id, agent_id, "chat", details, messages[0].timestamp)
        add_messages(conversation, messages)
        close_conversation(conversation, ended_at, text_messages=len(messages))
        defer(analyze_conversation, conversation.session_id)  # in the same transaction: stored means analysed
        db.session.commit()
    except BaseException:
        db.session.rollback()
        raise
    return conversation
