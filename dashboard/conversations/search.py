"""Finding a customer's conversations: filters, full-text search in messages, keyset pages, capped counts."""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from sqlalchemy import Integer, Select, Text, and_, case, cast, exists, func, literal_column, select, text, true
from sqlalchemy.dialects.postgresql import TSQUERY, TSVECTOR

from dashboard.agents.models import Agent
from dashboard.conversations import sentiment
from dashboard.conversations.models import Analysis, Conversation, Message, Visitor
from dashboard.extensions import db
from dashboard.pagination import KeysetPage, keyset_batches, keyset_page

PAGE_SIZE = 50
COUNT_CAP = 1_000  # counting stops here: "1,000+" is as useful as an exact figure and stays fast
# Newest first; a row-value comparison on it is served by the (customer_id, created_at, session_id) index.
ORDER = (Conversation.created_at, Conversation.session_id)
# websearch_to_tsquery's syntax: a dash that starts a word negates it; <-> and <N> join the words of a phrase.
NEGATION = re.compile(r"(^|[^\w])-")
PHRASE_OPERATOR = r"<(-|[0-9]+)>"
SEVERAL_WORDS = "[&<]"  # in a tsquery's text: words that must all be there, or a phrase


@dataclass(frozen=True)
class Filters:
    agent_id: int | None = None
    start: date | None = None
    end: date | None = None  # inclusive: the whole day (in `zone`)
    channel: str | None = None
    status: str | None = None  # active | ended
    sentiment: str | None = None  # positive | neutral | negative
    intent: str | None = None
    category: str | None = None
    over_limit: bool = False
    q: str | None = None
    zone: tzinfo = UTC  # the customer's time zone: whose days `start` and `end` are


def _matching_sessions(q: str):
    """The ids of conversations with a message matching `q`, through the dialect's full-text index."""
    if db.engine.dialect.name == "postgresql":
        # message.content_tsv: a stored to_tsvector('english', content) with a GIN index (migration
        # 9a3e7c5d2b14), outside the model because SQLite has no such column.
        return select(Message.session_id).where(literal_column("message.content_tsv").op("@@")(_tsquery(q)))
    return select(Message.session_id).where(Message.message_id.in_(_fts5_matches(q)))


def _tsquery(q: str):
    return func.websearch_to_tsquery(literal_column("'english'"), q)


def _matches(q: str):
    """The condition "one of the conversation's messages matches `q`".

    PostgreSQL: the candidates come from session.search_tsv, the words of all of a conversation's messages
    (GIN-indexed, kept by triggers: migration c6d2e8f4a1b9), so a capped count or a page stops early instead of
    reading every matching message first. A query of one word, or of words joined by "or", means the same on the
    whole conversation as on its messages. One of several words that must all be there (or a phrase: the vector
    keeps no positions, so its words are looked up) is then checked against each candidate's own messages, so
    the meaning stays SQLite's: one message holds them all. A negated word ("-refund") has no such wider net at
    the conversation's level: that search goes through the messages only, as before."""
    if db.engine.dialect.name != "postgresql" or NEGATION.search(q):
        return Conversation.session_id.in_(_matching_sessions(q))
    query_text = cast(_tsquery(q), Text)
    all_words = cast(func.regexp_replace(query_text, PHRASE_OPERATOR, "&", "g"), TSQUERY)
    per_message = (
        select(literal_column("1")).select_from(Message)
        .where(Message.session_id == Conversation.session_id,
               # coalesce(): not the GIN index's expression, so each candidate's few messages are read through
               # their session_id index instead of every message that matches anywhere
               func.coalesce(literal_column("message.content_tsv"), cast("", TSVECTOR)).op("@@")(_tsquery(q)))
        .offset(0)  # a SubPlan run per candidate, never a join over every matching message
    )
    # Constant once `q` is bound: PostgreSQL folds the CASE at planning, so one-word searches skip the check.
    one_message = case((query_text.op("~")(SEVERAL_WORDS), exists(per_message)), else_=true())
    return and_(literal_column("session.search_tsv").op("@@")(all_words), one_message)


def _fts5_matches(q: str):
    """SQLite: the ids of the messages whose words match `q`, from the FTS5 table (rowid = message_id).
    Each word becomes a quoted string, so nothing the user types is read as query syntax."""
    return text("SELECT rowid AS message_id FROM message_fts WHERE message_fts MATCH :terms").bindparams(
        terms=fts5_query(q)).columns(message_id=Integer)


def fts5_query(q: str) -> str:
    """SQLite: `q` as an FTS5 query, each word a quoted string (every word must match)."""
    return " ".join('"' + word.replace('"', '""') + '"' for word in q.split())


def conditions(customer_id: int, filters: Filters) -> list:
    """The WHERE clauses of `filters` (joins of Analysis and Visitor left to the caller's select)."""
    where = [Conversation.customer_id == customer_id]
    if filters.agent_id:
        where.append(Conversation.agent_id == filters.agent_id)
    if filters.start:
        where.append(Conversation.created_at >= datetime.combine(filters.start, time(), filters.zone))
    if filters.end:
        where.append(Conversation.created_at < datetime.combine(filters.end + timedelta(days=1), time(), filters.zone))
    if filters.channel:
        where.append(Conversation.channel == filters.channel)
    if filters.status:
        where.append(Conversation.is_active == (filters.status == "active"))
    if filters.over_limit:
        where.append(Conversation.over_limit == True)  # noqa: E712 (SQL, not Python)
    if filters.sentiment in sentiment.BANDS:
        where.append(sentiment.in_band(Analysis.sentiment, filters.sentiment))
    if filters.intent:
        where.append(Analysis.intent == filters.intent)
    if filters.category:
        where.append(Analysis.category == filters.category)
    if filters.q:
        where.append(_matches(filters.q))
    return where


def _needs_analysis(filters: Filters) -> bool:
    return bool(filters.sentiment or filters.intent or filters.category)


def listing(customer_id: int, filters: Filters, *extra_columns) -> Select:
    """Conversations with their visitor, agent and analysis, newest first."""
    return (
        select(Conversation, Visitor.name, Visitor.email, Visitor.phone, Agent.name, Analysis, *extra_columns)
        .outerjoin(Visitor, Visitor.visitor_id == Conversation.visitor_id)
        .outerjoin(Agent, Agent.agent_id == Conversation.agent_id)
        .outerjoin(Analysis, Analysis.session_id == Conversation.session_id)
        .where(*conditions(customer_id, filters))
        .order_by(*(column.desc() for column in ORDER))
    )


def page(customer_id: int, filters: Filters, cursor: str | None, size: int = PAGE_SIZE) -> KeysetPage:
    """A page of `listing` (rows: Conversation, visitor name, email, phone, agent name, Analysis | None)."""
    return keyset_page(listing(customer_id, filters), ORDER, cursor, size)


def batches(query: Select, size: int) -> Iterator[list]:
    """Every row of a `listing` query, `size` at a time by keyset, never all at once."""
    return keyset_batches(query, ORDER, size)


def count(customer_id: int, filters: Filters) -> int:
    """How many conversations match, counting at most COUNT_CAP + 1 (so the page can say "1,000+")."""
    if filters.q and db.engine.dialect.name == "sqlite":
        return _count_from_messages(customer_id, filters)
    matching = select(Conversation.session_id).where(*conditions(customer_id, filters))
    if _needs_analysis(filters):
        matching = matching.join(Analysis, Analysis.session_id == Conversation.session_id)
    return db.session.scalar(select(func.count()).select_from(matching.limit(COUNT_CAP + 1).subquery()))


def _count_from_messages(customer_id: int, filters: Filters) -> int:
    """SQLite: the same count, driven from the matching messages. FTS5 yields them one by one and SQLite's
    DISTINCT is a streaming temporary B-tree, so LIMIT stops the scan at the COUNT_CAP + 1st conversation
    instead of first collecting every matching message (894 ms for a common word at 114k conversations).
    The meaning is unchanged: a conversation matches when one of its messages does."""
    found = _fts5_matches(filters.q).subquery()
    matching = (
        select(Message.session_id).select_from(found)
        .join(Message, Message.message_id == found.c.message_id)
        .join(Conversation, Conversation.session_id == Message.session_id)
        .where(*conditions(customer_id, replace(filters, q=None)))
    )
    if _needs_analysis(filters):
        matching = matching.join(Analysis, Analysis.session_id == Conversation.session_id)
    return db.session.scalar(select(func.count()).select_from(matching.distinct().limit(COUNT_CAP + 1).subquery()))


def agents_of(customer_id: int) -> list[tuple[int, str]]:
    return db.session.execute(
        select(Agent.agent_id, Agent.name).where(Agent.customer_id == customer_id).order_by(Agent.name)
    ).all()

