"""The filtered conversations as CSV or JSON Lines, generated in keyset batches so memory stays flat."""
from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from itertools import groupby

from sqlalchemy import Text, cast, func, select

from dashboard.agents.models import Agent
from dashboard.conversations.models import Analysis, Conversation, Message, Visitor
from dashboard.conversations.search import Filters, batches, conditions
from dashboard.extensions import db

BATCH = 500
COLUMNS = [
    "conversation_id", "channel", "status", "started_at", "ended_at", "agent", "visitor_name", "visitor_email",
    "visitor_phone", "call_minutes_used", "text_messages_used", "message_count", "over_limit", "ultravox_call_id",
    "call_summary", "intent", "sentiment", "sentiment_justification", "category", "category_description",
    "action", "analysed_at", "sentiment_detailed",
]
# OWASP "CSV Injection": a spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# A signed number alone (an E.164 phone, a negative sentiment) calls nothing: it stays readable as it is.
SIGNED_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")
ANALYSIS_FIELDS = ("call_summary", "intent", "sentiment", "sentiment_justification", "category",
                   "category_description", "action", "sentiment_detailed")


def _rows(customer_id: int, filters: Filters, json_as_text: bool = False) -> Iterator[list]:
    """Batches of plain column rows (no ORM entities to build, track and expunge: an export reads every row).
    With `json_as_text`, sentiment_detailed comes as the database's JSON text (a CSV cell), not decoded."""
    message_count = (select(func.count(Message.message_id)).where(Message.session_id == Conversation.session_id)
                     .correlate(Conversation).scalar_subquery())
    analysis = [getattr(Analysis, name) for name in ANALYSIS_FIELDS]
    if json_as_text:
        analysis[-1] = cast(Analysis.sentiment_detailed, Text)
    query = (
        select(Conversation.session_id, Conversation.channel, Conversation.is_active, Conversation.created_at,
               Conversation.ended_at, Agent.name, Visitor.name, Visitor.email, Visitor.phone,
               Conversation.call_minutes_used, Conversation.text_messages_used, message_count,
               Conversation.over_limit, Conversation.ultravox_call_id, Analysis.created_at, *analysis)
        .select_from(Conversation)
        .outerjoin(Visitor, Visitor.visitor_id == Conversation.visitor_id)
        .outerjoin(Agent, Agent.agent_id == Conversation.agent_id)
        .outerjoin(Analysis, Analysis.session_id == Conversation.session_id)
        .where(*conditions(customer_id, filters))
    )
    yield from batches(query, BATCH)


def _record(row) -> dict:
    (session_id, channel, is_active, started, ended, agent_name, visitor_name, visitor_email, visitor_phone,
     minutes, texts, message_count, over_limit, call_id, analysed_at, *analysis) = row
    record = {
        "conversation_id": session_id, "channel": channel, "status": "active" if is_active else "ended",
        "started_at": started.isoformat(), "ended_at": ended.isoformat() if ended else None,
        "agent": agent_name, "visitor_name": visitor_name, "visitor_email": visitor_email,
        "visitor_phone": visitor_phone, "call_minutes_used": str(minutes), "text_messages_used": texts,
        "message_count": message_count, "over_limit": over_limit, "ultravox_call_id": call_id,
        "analysed_at": analysed_at.isoformat() if analysed_at else None,
    }
    record.update(zip(ANALYSIS_FIELDS, analysis, strict=True))
    return record


def spreadsheet_safe(value):
    """A text cell a spreadsheet shows as text: one that would start a formula gets a leading `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS) and not SIGNED_NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_lines(customer_id: int, filters: Filters) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for rows in _rows(customer_id, filters, json_as_text=True):
        for row in rows:
            record = _record(row)
            record["sentiment_detailed"] = record["sentiment_detailed"] or "null"
            writer.writerow([spreadsheet_safe(value) if isinstance(value, str) else value
                             for value in map(record.__getitem__, COLUMNS)])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def jsonl_lines(customer_id: int, filters: Filters) -> Iterator[str]:
    """One JSON object per conversation, its transcript included (one messages query per batch)."""
    for rows in _rows(customer_id, filters):
        ids = [row[0] for row in rows]
        messages = db.session.execute(
            select(Message.session_id, Message.role, Message.content, Message.timestamp, Message.tool_name)
            .where(Message.session_id.in_(ids)).order_by(Message.session_id, Message.timestamp, Message.message_id)
        ).all()
        by_session = {session_id: [
            {"role": m.role, "content": m.content, "timestamp": m.timestamp.isoformat(), "tool_name": m.tool_name}
            for m in group] for session_id, group in groupby(messages, key=lambda m: m.session_id)}
        yield "".join(json.dumps({**_record(row), "messages": by_session.get(row[0], [])},
                                 ensure_ascii=False) + "\n" for row in rows)
