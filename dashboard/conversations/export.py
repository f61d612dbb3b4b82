"""The filtered conversations as CSV or JSON Lines, generated in keyset batches so memory stays flat.

Both formats read plain columns (no ORM entities) and the messages through a Core result (no ORM loading),
and JSON Lines are encoded by orjson, which writes datetimes and the stored JSON as they are: per row the
Python work is a list or dict of values the database already gave, so an export costs about its SQL."""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from itertools import groupby
from operator import itemgetter

import orjson
from sqlalchemy import DateTime, Text, cast, func, select, type_coerce

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
STATUS, MINUTES, DETAILED = COLUMNS.index("status"), COLUMNS.index("call_minutes_used"), COLUMNS.index(
    "sentiment_detailed")
TIMES = [COLUMNS.index(name) for name in ("started_at", "ended_at", "analysed_at")]
# OWASP "CSV Injection": a spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# A signed number alone (an E.164 phone, a negative sentiment) calls nothing: it stays readable as it is.
SIGNED_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")


def _rows(customer_id: int, filters: Filters) -> Iterator[list]:
    """Batches of plain rows, one value per COLUMNS name in that order (is_active for status, the database's
    JSON text for sentiment_detailed); no ORM entities to build, track and expunge: an export reads every row."""
    message_count = (select(func.count(Message.message_id)).where(Message.session_id == Conversation.session_id)
                     .correlate(Conversation).scalar_subquery())
    query = (
        select(Conversation.session_id, Conversation.channel, Conversation.is_active, Conversation.created_at,
               Conversation.ended_at, Agent.name, Visitor.name, Visitor.email, Visitor.phone,
               Conversation.call_minutes_used, Conversation.text_messages_used, message_count,
               Conversation.over_limit, Conversation.ultravox_call_id, Analysis.call_summary, Analysis.intent,
               Analysis.sentiment, Analysis.sentiment_justification, Analysis.category,
               Analysis.category_description, Analysis.action, Analysis.created_at,
               cast(Analysis.sentiment_detailed, Text))
        .select_from(Conversation)
        .outerjoin(Visitor, Visitor.visitor_id == Conversation.visitor_id)
        .outerjoin(Agent, Agent.agent_id == Conversation.agent_id)
        .outerjoin(Analysis, Analysis.session_id == Conversation.session_id)
        .where(*conditions(customer_id, filters))
    )
    yield from batches(query, BATCH)


def _values(row) -> list:
    """A row's values in COLUMNS order as both formats show them (datetimes still datetimes)."""
    values = list(row)
    values[STATUS] = "active" if values[STATUS] else "ended"
    values[MINUTES] = str(values[MINUTES])
    return values


def spreadsheet_safe(value):
    """A text cell a spreadsheet shows as text: one that would start a formula gets a leading `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS) and not SIGNED_NUMBER.fullmatch(value):
        return "'" + value
    return value


def csv_lines(customer_id: int, filters: Filters) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    for rows in _rows(customer_id, filters):
        for row in rows:
            values = _values(row)
            for index in TIMES:
                if values[index] is not None:
                    values[index] = values[index].isoformat()
            values[DETAILED] = values[DETAILED] or "null"
            writer.writerow([spreadsheet_safe(value) for value in values])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def _naive_utc(column):
    """A timestamp column read as a naive UTC datetime, converted by the database (PostgreSQL) or as stored
    (SQLite), so no Python converts each of a transcript's timestamps; orjson writes it with +00:00."""
    if db.engine.dialect.name == "postgresql":
        return type_coerce(func.timezone("UTC", column), DateTime())
    return type_coerce(column, DateTime())


def jsonl_lines(customer_id: int, filters: Filters) -> Iterator[bytes]:
    """One JSON object per conversation, its transcript included (one messages query per batch)."""
    for rows in _rows(customer_id, filters):
        messages = db.session.connection().execute(
            select(Message.session_id, Message.role, Message.content, _naive_utc(Message.timestamp), Message.tool_name)
            .where(Message.session_id.in_([row[0] for row in rows]))
            .order_by(Message.session_id, Message.timestamp, Message.message_id)
        ).all()
        by_session = {session_id: [{"role": role, "content": content, "timestamp": stamp, "tool_name": tool}
                                   for _, role, content, stamp, tool in group]
                      for session_id, group in groupby(messages, key=itemgetter(0))}
        lines = []
        for row in rows:
            record = dict(zip(COLUMNS, _values(row), strict=True))
            if record["sentiment_detailed"] is not None:  # already JSON: written as the database holds it
                record["sentiment_detailed"] = orjson.Fragment(record["sentiment_detailed"])
            record["messages"] = by_session.get(row[0], [])
            lines.append(orjson.dumps(record, option=orjson.OPT_NAIVE_UTC))
        yield b"\n".join(lines) + b"\n"
