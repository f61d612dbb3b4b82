"""PostgreSQL: a conversation's search vector moves to its own table, session_search, with each message's
words at that message's number, so "every word in one message" is checked in the vector itself

Revision ID: 9b4d2f6a8c13
Revises: c6d2e8f4a1b9
Create Date: 2026-11-27 08:00:00

Two things were slow with session.search_tsv (c6d2e8f4a1b9):
- It held the conversation's words without positions, so a search for several words found every
  conversation having them anywhere and then read each candidate's messages for one holding them all:
  ~28 µs per candidate, 250-400 ms for two words that share 14k conversations but seldom a message
  ("appointment charged", 114k conversations). Now every word of the conversation's n-th message sits at
  position n, and the search asks for the words at one position (`'appoint' <0> 'charg'`), which PostgreSQL
  checks in the vector it reads anyway.
- Every stored message rewrote its conversation's `session` row, and since the vector is indexed, never as a
  HOT update: a new row version and an entry in each of the table's seven indexes per message, and a table
  several times its live size for every list, page and analytics query to read. The vector now lives in
  session_search (one narrow row per conversation, with its customer_id so a search needs no join to filter
  by customer), which the triggers write instead.

PostgreSQL keeps at most 256 positions per word (and none past 16,383), so in a conversation of more than 256
messages a word's later messages may be missing from the vector: there, session_search.messages > 256 tells
the search to read the messages as before. Positions are message numbers, not word numbers, so a phrase
("wheelchair accessible" in quotes) still reads the messages of the conversations holding its words in one.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

from alembic import op

revision = "9b4d2f6a8c13"
down_revision = "c6d2e8f4a1b9"
branch_labels = None
depends_on = None

# Per conversation of `{rows}` (session_id, message_id, content): its customer, how many messages it has and
# their words, the n-th message's (in message_id order) all at position n. Built as tsvector text, a lexeme
# quoted as tsvector input wants (a quote doubled, a backslash escaped); set-based, since a function called per
# message made seeding the demo data 25% slower.
WORDS = r"""
SELECT numbered.session_id, session.customer_id, numbered.messages,
       coalesce(string_agg('''' || replace(replace(word.lexeme, '\', '\\'), '''', '''''') || ''':' || numbered.at,
                           ' '), '')::tsvector AS words
FROM (SELECT session_id, content, row_number() OVER (PARTITION BY session_id ORDER BY message_id) AS at,
             count(*) OVER (PARTITION BY session_id) AS messages
      FROM {rows}) AS numbered
JOIN session ON session.session_id = numbered.session_id
LEFT JOIN LATERAL unnest(to_tsvector('english', numbered.content)) AS word ON true
GROUP BY numbered.session_id, session.customer_id, numbered.messages
"""

RECOMPUTE = f"""
DELETE FROM session_search WHERE session_id IN (SELECT session_id FROM {{changed}} AS changed);
INSERT INTO session_search (session_id, customer_id, messages, words)
{WORDS.format(rows="message WHERE session_id IN (SELECT session_id FROM {changed} AS changed)")}
"""

FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION session_search_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- `||` moves the right-hand vector's positions past the left-hand one's last: the added messages
    -- (numbered from 1 here) come after the conversation's earlier ones.
    INSERT INTO session_search AS s (session_id, customer_id, messages, words)
    {WORDS.format(rows="added")}
    ON CONFLICT (session_id) DO UPDATE
    SET words = s.words || excluded.words, messages = s.messages + excluded.messages;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION session_search_recompute() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        {RECOMPUTE.format(changed="(SELECT DISTINCT session_id FROM gone)")};
    ELSE
        {RECOMPUTE.format(changed='''(
            SELECT o.session_id FROM gone AS o JOIN added AS n USING (message_id)
            WHERE o.content IS DISTINCT FROM n.content OR o.session_id <> n.session_id
            UNION
            SELECT n.session_id FROM gone AS o JOIN added AS n USING (message_id)
            WHERE o.content IS DISTINCT FROM n.content OR o.session_id <> n.session_id)''')};
    END IF;
    RETURN NULL;
END $$;
"""


def _previous():
    """The revision before this one (its trigger functions and backfill, to go back to them)."""
    path = Path(__file__).with_name("c6d2e8f4a1b9_session_search_vector.py")
    spec = importlib.util.spec_from_file_location("session_search_vector", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("""
        CREATE TABLE session_search (
            session_id integer PRIMARY KEY REFERENCES session (session_id) ON DELETE CASCADE,
            customer_id integer NOT NULL,
            messages integer NOT NULL,
            words tsvector NOT NULL
        )""")
    op.execute(FUNCTIONS)  # the triggers of c6d2e8f4a1b9 call these functions: from now on they write here
    op.execute(f"INSERT INTO session_search (session_id, customer_id, messages, words) {WORDS.format(rows='message')}")
    op.execute("CREATE INDEX ix_session_search_words ON session_search USING gin (words)")
    op.execute("ANALYZE session_search")
    op.execute("DROP INDEX ix_session_search_tsv")
    op.execute("ALTER TABLE session DROP COLUMN search_tsv")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    previous = _previous()
    for trigger in ("message_search_insert", "message_search_update", "message_search_delete"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON message")
    op.execute("DROP FUNCTION IF EXISTS session_search_add()")
    op.execute("DROP FUNCTION IF EXISTS session_search_recompute()")
    op.execute("DROP TABLE session_search")
    op.execute("ALTER TABLE session ADD COLUMN search_tsv tsvector")
    op.execute(previous.FUNCTIONS)
    op.execute(f"""
        UPDATE session AS s SET search_tsv = m.words
        FROM (SELECT session_id, {previous.WORDS.format(content="content")} AS words FROM message GROUP BY session_id) AS m
        WHERE s.session_id = m.session_id
    """)
    op.execute("CREATE INDEX ix_session_search_tsv ON session USING gin (search_tsv)")
