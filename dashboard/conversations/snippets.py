"""The matching passage of each conversation in a page of search results, with the searched words highlighted.

One query for the whole page: on PostgreSQL ts_headline over each conversation's first matching message, on
SQLite FTS5's snippet(). Both mark the words with two control characters, never HTML: the passage is escaped
as text and only those marks become <mark> elements, so nothing a visitor wrote reaches the page as markup."""
from __future__ import annotations

import re
from collections.abc import Iterable

from markupsafe import Markup, escape
from sqlalchemy import bindparam, func, literal_column, select, text
from sqlalchemy.dialects.postgresql import distinct_on

from dashboard.conversations.models import Message
from dashboard.conversations.search import fts5_query
from dashboard.extensions import db

START, STOP = "\x02", "\x03"  # the highlight marks; stripped from the message text first where the database allows
WORDS = 18  # about how long a passage is
_MARKS = re.compile(f"([{START}{STOP}])")


def passages(session_ids: Iterable[int], q: str | None) -> dict[int, Markup]:
    """{conversation id: its first matching message's passage, as safe HTML with <mark>ed words}."""
    ids = list(session_ids)
    if not q or not q.strip() or not ids:
        return {}
    if db.engine.dialect.name == "postgresql":
        rows = db.session.execute(_postgresql(ids, q)).all()
    else:
        rows = db.session.execute(_SQLITE, {"terms": fts5_query(q), "ids": ids, "words": WORDS, "spread": SPREAD}).all()
    return {session_id: highlighted(raw) for session_id, raw in rows if raw}


def _postgresql(ids: list[int], q: str):
    """message.content_tsv (GIN-indexed, see search._matching_sessions) ANDed with the page's conversations' messages:
    about 2 ms for a page of 50 at 17k conversations and 330k messages."""
    english = literal_column("'english'")
    query = func.websearch_to_tsquery(english, q)
    first = (
        select(Message.session_id, Message.content)
        .where(Message.session_id.in_(ids), literal_column("message.content_tsv").op("@@")(query))
        .order_by(Message.session_id, Message.message_id)
        .ext(distinct_on(Message.session_id))
        .subquery()
    )
    options = f"StartSel={START}, StopSel={STOP}, MaxWords={WORDS}, MinWords={WORDS // 2}, MaxFragments=1"
    content = func.replace(func.replace(first.c.content, START, ""), STOP, "")
    return select(first.c.session_id, func.ts_headline(english, content, query, options))


# SQLite. Per conversation of the page, the range of its message ids (from the session_id index), then FTS5
# MATCHes only inside that range: the rowid bounds reach FTS5 (plan "INDEX 64:M1><"), which seeks into each word's
# doclist instead of reading all of it, and returns rowids in order, so LIMIT 1 stops at the conversation's first
# matching message. Chats interleave, so the range may hold other conversations' messages: the join on session_id
# skips them. A conversation whose range is mostly other chats' messages (open for days while others were
# written) would make FTS5 walk all their matches: its own messages are each looked up instead (rowid = id, about
# 30 µs a message; the plan's "INDEX 0:=M1"), then the first match's snippet(). snippet() works only in the query
# that MATCHes, hence the correlated subquery. At 114k conversations and 2.2M messages: 2-4 ms for a page of 50
# ("thank", "you", "wheelchair accessible"; about 30-60 ms if every one of the 50 were spread out), where
# MATCHing the whole table first took 60-240 ms (CPU, passages(), the demo seeded with --scale 67).
SPREAD = 100  # a range wider than this many ids per message of the conversation: look its messages up one by one
_SQLITE = text(
    "WITH page AS (SELECT session_id, min(message_id) AS first_id, max(message_id) AS last_id,"
    "  count(*) AS messages FROM message WHERE session_id IN :ids GROUP BY session_id)"
    " SELECT page.session_id, (SELECT snippet(message_fts, 0, char(2), char(3), '…', :words)"
    "  FROM message_fts CROSS JOIN message"
    "  WHERE message_fts MATCH :terms AND message_fts.rowid BETWEEN page.first_id AND page.last_id"
    "  AND message.message_id = message_fts.rowid AND message.session_id = page.session_id"
    "  ORDER BY message_fts.rowid LIMIT 1)"
    " FROM page WHERE page.last_id - page.first_id < :spread * page.messages"
    " UNION ALL"
    " SELECT firsts.session_id, snippet(message_fts, 0, char(2), char(3), '…', :words)"
    " FROM (SELECT message.session_id, min(message.message_id) AS message_id"
    "  FROM page CROSS JOIN message CROSS JOIN message_fts"
    "  WHERE page.last_id - page.first_id >= :spread * page.messages AND message.session_id = page.session_id"
    "  AND message_fts.rowid = message.message_id AND message_fts MATCH :terms"
    "  GROUP BY message.session_id) AS firsts"
    " CROSS JOIN message_fts WHERE message_fts.rowid = firsts.message_id AND message_fts MATCH :terms"
).bindparams(bindparam("ids", expanding=True))


def highlighted(raw: str) -> Markup:
    """Text with START/STOP marks as HTML: everything escaped, each marked run in <mark> (unpaired marks dropped)."""
    html, open_ = [], False
    for piece in _MARKS.split(raw):
        if piece == START and not open_:
            html.append("<mark>")
            open_ = True
        elif piece == STOP and open_:
            html.append("</mark>")
            open_ = False
        elif piece and piece not in (START, STOP):
            html.append(str(escape(piece)))
    if open_:
        html.append("</mark>")
    return Markup("".join(html))
