"""PostgreSQL: one search vector per conversation (session.search_tsv), kept by triggers on message, GIN-indexed

Revision ID: c6d2e8f4a1b9
Revises: 8c1f4e2a9b35
Create Date: 2026-11-27 05:20:00

A search's count went through the matching messages: every one of them (57k for two common words at 114k
conversations) was read before the first conversation was counted, and the planner, estimating a few dozen,
could not plan around it. session.search_tsv holds the words of all of a conversation's messages (stripped of
positions: only which words, so it stays small), so a search finds its candidate conversations through one GIN
index and stops at the count's cap; each candidate is then checked against its messages, so the meaning stays
"one message matches the query" (dashboard/conversations/search.py).

Kept current by statement-level triggers with transition tables, whatever writes the messages (the ORM, Core
bulk inserts, psql): inserted messages add their words; updated or deleted ones make their conversations'
vectors be recomputed from the messages left. SQLite keeps its FTS5 table and needs nothing here.
"""
from alembic import op

revision = "c6d2e8f4a1b9"
down_revision = "8c1f4e2a9b35"
branch_labels = None
depends_on = None

WORDS = "strip(to_tsvector('english', coalesce(string_agg({content}, ' '), '')))"

FUNCTIONS = f"""
CREATE FUNCTION session_search_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE session AS s SET search_tsv = coalesce(s.search_tsv, ''::tsvector) || a.words
    FROM (SELECT session_id, {WORDS.format(content="content")} AS words FROM added GROUP BY session_id) AS a
    WHERE s.session_id = a.session_id;
    RETURN NULL;
END $$;

CREATE FUNCTION session_search_recompute() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        UPDATE session AS s SET search_tsv = (
            SELECT {WORDS.format(content="m.content")} FROM message AS m WHERE m.session_id = s.session_id)
        WHERE s.session_id IN (SELECT session_id FROM gone);
    ELSE
        UPDATE session AS s SET search_tsv = (
            SELECT {WORDS.format(content="m.content")} FROM message AS m WHERE m.session_id = s.session_id)
        WHERE s.session_id IN (
            SELECT o.session_id FROM gone AS o JOIN added AS n USING (message_id)
            WHERE o.content IS DISTINCT FROM n.content OR o.session_id <> n.session_id
            UNION
            SELECT n.session_id FROM gone AS o JOIN added AS n USING (message_id)
            WHERE o.content IS DISTINCT FROM n.content OR o.session_id <> n.session_id);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER message_search_insert AFTER INSERT ON message REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION session_search_add();
CREATE TRIGGER message_search_update AFTER UPDATE ON message REFERENCING OLD TABLE AS gone NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION session_search_recompute();
CREATE TRIGGER message_search_delete AFTER DELETE ON message REFERENCING OLD TABLE AS gone
    FOR EACH STATEMENT EXECUTE FUNCTION session_search_recompute();
"""


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE session ADD COLUMN search_tsv tsvector")
    op.execute(FUNCTIONS)  # before the backfill: messages stored meanwhile are not lost (same transaction anyway)
    op.execute(f"""
        UPDATE session AS s SET search_tsv = m.words
        FROM (SELECT session_id, {WORDS.format(content="content")} AS words FROM message GROUP BY session_id) AS m
        WHERE s.session_id = m.session_id
    """)
    op.execute("CREATE INDEX ix_session_search_tsv ON session USING gin (search_tsv)")
    op.execute("ANALYZE session")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for trigger in ("message_search_insert", "message_search_update", "message_search_delete"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON message")
    op.execute("DROP FUNCTION IF EXISTS session_search_add()")
    op.execute("DROP FUNCTION IF EXISTS session_search_recompute()")
    op.execute("DROP INDEX IF EXISTS ix_session_search_tsv")
    op.execute("ALTER TABLE session DROP COLUMN IF EXISTS search_tsv")
