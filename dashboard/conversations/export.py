"""The filtered conversations as CSV or JSON Lines, generated in keyset batches so memory stays flat.

Both formats read plain columns (no ORM entities). JSON Lines are encoded by orjson, which writes datetimes and
the stored JSON as they are, and each transcript arrives as the JSON array text the database made (one row per
conversation, none per message): per row the Python work is a list or dict of values the database already
gave, so an export costs about its SQL."""
from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator

import orjson
from sqlalchemy import Text, case, cast, func, select
from sqlalchemy.dialects.postgresql import aggregate_order_by

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


def _iso_utc(column):
    """A timestamp column as the text orjson writes for the same UTC time ("2026-11-20T10:00:00+00:00", with
    ".123456" before the offset when there are microseconds), made by the database."""
    if db.engine.dialect.name == "postgresql":
        utc = func.timezone("UTC", column)
        fraction = case((func.date_trunc("second", column) == column, ""), else_=func.to_char(utc, ".US"))
        return func.to_char(utc, 'YYYY-MM-DD"T"HH24:MI:SS') + fraction + "+00:00"
    # SQLite holds "2026-11-20 10:00:00.123456" (SQLAlchemy's storage format, always UTC here)
    fraction = case((func.substr(column, 20).in_(["", ".000000"]), ""), else_=func.substr(column, 20, 7))
    return func.replace(func.substr(column, 1, 19), " ", "T") + fraction + "+00:00"


def _transcripts(session_ids: list[int]) -> dict[int, str]:
    """Each conversation's messages as the JSON array text of its export line, in the order they were said,
    built by the database: Python only places the text (no row or dict per message)."""
    fields = ("role", Message.role, "content", Message.content, "timestamp", _iso_utc(Message.timestamp),
              "tool_name", Message.tool_name)
    order = (Message.timestamp, Message.message_id)
    if db.engine.dialect.name == "postgresql":
        array = func.json_agg(aggregate_order_by(func.json_build_object(*fields), *order))
        query = (select(Message.session_id, cast(array, Text))
                 .where(Message.session_id.in_(session_ids)).group_by(Message.session_id))
    else:
        # SQLite 3.40 has no ORDER BY inside an aggregate; an ordered subquery is not flattened into an
        # aggregate query, so json_group_array takes the messages in its order.
        said = (select(Message.session_id, func.json_object(*fields).label("message"))
                .where(Message.session_id.in_(session_ids)).order_by(Message.session_id, *order).subquery())
        query = select(said.c.session_id, func.json_group_array(func.json(said.c.message))).group_by(said.c.session_id)
    return dict(db.session.connection().execute(query).all())


def jsonl_lines(customer_id: int, filters: Filters) -> Iterator[bytes]:
    """One JSON object per conversation, its transcript included (one messages query per batch)."""
    for rows in _rows(customer_id, filters):
        transcripts = _transcripts([row[0] for row in rows])
        lines = []
        for row in rows:
            record = dict(zip(COLUMNS, _values(row), strict=True))
            if record["sentiment_detailed"] is not None:  # already JSON: written as the database holds it
                record["sentiment_detailed"] = orjson.Fragment(record["sentiment_detailed"])
            record["messages"] = orjson.Fragment(transcripts.get(row[0], "[]"))
            lines.append(orjson.dumps(record, option=orjson.OPT_NAIVE_UTC))
        yield b"\n".join(lines) + b"\n"
