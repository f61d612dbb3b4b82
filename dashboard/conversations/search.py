"""Finding a customer's conversations: filters, full-text search in messages, keyset pages, capped counts."""
from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from sqlalchemy import (
    Integer,
    Select,
    Text,
    and_,
    any_,
    bindparam,
    case,
    cast,
    column,
    exists,
    func,
    literal_column,
    or_,
    select,
    table,
    text,
    true,
)
from sqlalchemy.dialects.postgresql import ARRAY, TSQUERY, TSVECTOR

from dashboard.agents.models import Agent
from dashboard.conversations import sentiment
from dashboard.conversations.models import Analysis, Conversation, Message, Visitor
from dashboard.extensions import db
from dashboard.pagination import KeysetPage, keyset_batches, keyset_page

PAGE_SIZE = 50
COUNT_CAP = 1_000  # counting stops here: "1,000+" is as useful as an exact figure and stays fast
FEW_MATCHES = 1_000  # PostgreSQL: a search with at most this many matches is paged from their ids (see page())
# Newest first; a row-value comparison on it is served by the (customer_id, created_at, session_id) index.
ORDER = (Conversation.created_at, Conversation.session_id)
# websearch_to_tsquery's syntax: a dash that starts a word negates it (or a quoted phrase); "or" between two
# words or phrases; <-> and <N> join the words of a phrase.
NEGATION = re.compile(r"(^|[^\w])-")
NEGATED_TERM = re.compile(r'(^|[^\w])-("[^"]*"?|[^\s"]+)')
OR_WORD = re.compile(r"(^|\s)or(\s|$)", re.IGNORECASE)
PHRASE_OPERATOR = r"<(-|[0-9]+)>"
SEVERAL_WORDS = "[&<]"  # in a tsquery's text: words that must all be there, or a phrase
# ...and what joins them, to be asked for at one position (a lexeme may hold "&", never a space)
ONE_MESSAGE_OPERATOR = r" & |<(-|[0-9]+)>"
# PostgreSQL keeps 256 positions per word: past that many messages a conversation's vector may miss some
LONG_CONVERSATION = 256
# PostgreSQL only, outside the models (SQLite searches its FTS5 table): each conversation's customer, number of
# messages and words, the n-th message's at position n (migration 9b4d2f6a8c13)
SESSION_SEARCH = table("session_search", column("session_id", Integer), column("customer_id", Integer),
                       column("messages", Integer), column("words", TSVECTOR))


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


def _matches(customer_id: int, q: str, walk: bool = False):
    """The condition "one of the conversation's messages matches `q`".

    PostgreSQL: the candidates come from session_search.words, the words of all of a conversation's messages
    (GIN-indexed, kept by triggers: migrations c6d2e8f4a1b9 and 9b4d2f6a8c13), so a capped count or a page stops
    early instead of reading every matching message first. A query of one word, or of words joined by "or",
    means the same on the whole conversation as on its messages. Several words that must all be there (and
    words that must not: "appointment -charged") are asked for at one position of the vector, which is a
    message's number (`'appoint' <0> !'charg'`), so the meaning stays SQLite's: one message holds them all. A
    phrase is narrowed the same way, then checked against the messages (positions are message numbers, not word
    numbers), and so is a conversation of more than LONG_CONVERSATION messages, whose vector may have lost
    positions. A search with no word that must be there ("-refund"), or a negated word beside "or", has no
    such net at the conversation's level: it goes through the messages only."""
    if db.engine.dialect.name != "postgresql":
        return Conversation.session_id.in_(_matching_sessions(q))
    negated = bool(NEGATION.search(q))
    if negated and OR_WORD.search(q):
        return Conversation.session_id.in_(_matching_sessions(q))
    wanted = _tsquery(NEGATED_TERM.sub(r"\1", q) if negated else q)  # what one message must hold, at least
    query_text = cast(_tsquery(q), Text)
    all_words = cast(func.regexp_replace(cast(wanted, Text), PHRASE_OPERATOR, "&", "g"), TSQUERY)
    one_position = cast(func.regexp_replace(query_text, ONE_MESSAGE_OPERATOR, " <0> ", "g"), TSQUERY)
    per_message = (
        select(literal_column("1")).select_from(Message)
        .where(Message.session_id == SESSION_SEARCH.c.session_id,
               # coalesce(): not the GIN index's expression, so each candidate's few messages are read through
               # their session_id index instead of every message that matches anywhere
               func.coalesce(literal_column("message.content_tsv"), cast("", TSVECTOR)).op("@@")(_tsquery(q)))
        .offset(0)  # a SubPlan run per candidate, never a join over every matching message
    )
    vector = SESSION_SEARCH.c.words
    # Constant once `q` is bound: PostgreSQL folds it at planning, so words without a phrase skip the messages.
    phrase = query_text.op("~")("<")
    if negated:  # a negated phrase asked at one position would also drop a message holding its words apart
        narrowed = case((phrase, exists(per_message)), else_=vector.op("@@")(one_position))
    else:
        narrowed = and_(vector.op("@@")(one_position), case((phrase, exists(per_message)), else_=true()))
    in_one_message = case((SESSION_SEARCH.c.messages > LONG_CONVERSATION, exists(per_message)), else_=narrowed)
    # Also folded: a search for one word (or words joined by "or") needs neither check.
    found = and_(vector.op("@@")(all_words), case((query_text.op("~")(SEVERAL_WORDS), in_one_message), else_=true()))
    if negated:
        # Folded too: only negated words ("-refund", or "the -refund": "the" is no word to search) leave nothing
        # to look up in the vector, so each conversation's messages are read. (Inside the subquery, not a CASE
        # around it: PostgreSQL turns only a plain IN into a join, which stops at a count's cap.)
        found = or_(and_(func.numnode(wanted) > 0, found), and_(func.numnode(wanted) == 0, exists(per_message)))
    if walk:  # checked for each conversation as a list walks them newest first (see page())
        return exists(select(literal_column("1")).select_from(SESSION_SEARCH)
                      .where(SESSION_SEARCH.c.session_id == Conversation.session_id, found).offset(0))
    return Conversation.session_id.in_(
        select(SESSION_SEARCH.c.session_id).where(SESSION_SEARCH.c.customer_id == customer_id, found))


def _fts5_matches(q: str):
    """SQLite: the ids of the messages whose words match `q`, from the FTS5 table (rowid = message_id).
    Each word becomes a quoted string, so nothing the user types is read as query syntax."""
    return text("SELECT rowid AS message_id FROM message_fts WHERE message_fts MATCH :terms").bindparams(
        terms=fts5_query(q)).columns(message_id=Integer)


def fts5_query(q: str) -> str:
    """SQLite: `q` as an FTS5 query, each word a quoted string (every word must match)."""
    return " ".join('"' + word.replace('"', '""') + '"' for word in q.split())


def conditions(customer_id: int, filters: Filters, walk: bool = False) -> list:
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
        where.append(_matches(customer_id, filters.q, walk))
    return where


def _needs_analysis(filters: Filters) -> bool:
    return bool(filters.sentiment or filters.intent or filters.category)


def listing(customer_id: int, filters: Filters, *extra_columns, walk: bool = False) -> Select:
    """Conversations with their visitor, agent and analysis, newest first."""
    return (
        select(Conversation, Visitor.name, Visitor.email, Visitor.phone, Agent.name, Analysis, *extra_columns)
        .outerjoin(Visitor, Visitor.visitor_id == Conversation.visitor_id)
        .outerjoin(Agent, Agent.agent_id == Conversation.agent_id)
        .outerjoin(Analysis, Analysis.session_id == Conversation.session_id)
        .where(*conditions(customer_id, filters, walk))
        .order_by(*(column.desc() for column in ORDER))
    )


def page(customer_id: int, filters: Filters, cursor: str | None, size: int = PAGE_SIZE,
         few_matches: int = FEW_MATCHES) -> KeysetPage:
    """A page of `listing` (rows: Conversation, visitor name, email, phone, agent name, Analysis | None).

    PostgreSQL, with a search: the matches are first looked up from the search index, at most FEW_MATCHES of
    them. When that is all of them, the page is sorted from those; with more, the conversations are walked
    newest first, each checked, and a page of matches comes soon. The planner cannot choose between the two
    itself: it guesses how often words share a message from how often each is said, and at 100k conversations
    its choices took 0.6 s (walking every conversation for matches that were not there) and 0.4 s (checking
    every match of a phrase before the first page).
    """
    query = listing(customer_id, filters)
    if filters.q and db.engine.dialect.name == "postgresql":
        found = db.session.scalars(_matching(customer_id, filters).limit(few_matches + 1)).all()
        if len(found) <= few_matches:
            query = listing(customer_id, replace(filters, q=None)).where(
                Conversation.session_id == any_(bindparam("found", found, type_=ARRAY(Integer), unique=True)))
        else:
            query = listing(customer_id, filters, walk=True)
    return keyset_page(query, ORDER, cursor, size)


def batches(query: Select, size: int) -> Iterator[list]:
    """Every row of a `listing` query, `size` at a time by keyset, never all at once."""
    return keyset_batches(query, ORDER, size)


def count(customer_id: int, filters: Filters) -> int:
    """How many conversations match, counting at most COUNT_CAP + 1 (so the page can say "1,000+")."""
    if filters.q and db.engine.dialect.name == "sqlite":
        return _count_from_messages(customer_id, filters)
    return db.session.scalar(select(func.count()).select_from(
        _matching(customer_id, filters).limit(COUNT_CAP + 1).subquery()))


def _matching(customer_id: int, filters: Filters) -> Select:
    """The ids of the conversations matching `filters`, in no order."""
    matching = select(Conversation.session_id).where(*conditions(customer_id, filters))
    if _needs_analysis(filters):
        matching = matching.join(Analysis, Analysis.session_id == Conversation.session_id)
    return matching


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

