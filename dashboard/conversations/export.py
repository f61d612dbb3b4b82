"""The filtered conversations as CSV or JSON Lines, generated in keyset batches so memory stays flat."""
from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from itertools import groupby

from sqlalchemy import func, select

from dashboard.conversations.models import Conversation, Message
from dashboard.conversations.search import Filters, batches, listing
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


def _rows(customer_id: int, filters: Filters) -> Iterator[list]:
    message_count = (select(func.count(Message.message_id)).where(Message.session_id == Conversation.session_id)
                     .correlate(Conversation).scalar_subquery())
    for rows in batches(listing(customer_id, filters, message_count), BATCH):
        yield rows
        for row in rows:  # written out: let them go, or the session would hold every row exported
            db.session.expunge(row[0])
            if row[5] is not None:
                db.session.expunge(row[5])


def _record(row) -> dict:
    conversation, visitor_name, visitor_email, visitor_phone, agent_name, analysis, message_count = row
    record = {
        "conversation_id": conversation.session_id, "channel": conversation.channel,
        "status": "active" if conversation.is_active else "ended",
        "started_at": conversation.created_at.isoformat(),
        "ended_at": conversation.ended_at.isoformat() if conversation.ended_at else None,
        "agent": agent_name, "visitor_name": visitor_name, "visitor_email": visitor_email,
        "visitor_phone": visitor_phone, "call_minutes_used": str(conversation.call_minutes_used),
        "text_messages_used": conversation.text_messages_used, "message_count": message_count,
        "over_limit": conversation.over_limit, "ultravox_call_id": conversation.ultravox_call_id,
        "analysed_at": analysis.created_at.isoformat() if analysis else None,
    }
    record.update({name: getattr(analysis, name) if analysis else None for name in ANALYSIS_FIELDS})
    return record


def spreadsheet_safe(value):
    """A text cell a spreadsheet shows as text: one that would start a formula gets a leading `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS) and not SIGNED_NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_lines(customer_id: int, filters: Filters) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    for rows in _rows(customer_id, filters):
        for row in rows:
            record = _record(row)
            record["sentiment_detailed"] = json.dumps(record["sentiment_detailed"])
            writer.writerow({name: spreadsheet_safe(value) for name, value in record.items()})
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def jsonl_lines(customer_id: int, filters: Filters) -> Iterator[str]:
    """One JSON object per conversation, its transcript included (one messages query per batch)."""
    for rows in _rows(customer_id, filters):
        ids = [row[0].session_id for row in rows]
        messages = db.session.execute(
            select(Message.session_id, Message.role, Message.content, Message.timestamp, Message.tool_name)
            .where(Message.session_id.in_(ids)).order_by(Message.session_id, Message.timestamp, Message.message_id)
        ).all()
        by_session = {session_id: [
            {"role": m.role, "content": m.content, "timestamp": m.timestamp.isoformat(), "tool_name": m.tool_name}
            for m in group] for session_id, group in groupby(messages, key=lambda m: m.session_id)}
        yield "".join(json.dumps({**_record(row), "messages": by_session.get(row[0].session_id, [])},
                                 ensure_ascii=False) + "\n" for row in rows)
