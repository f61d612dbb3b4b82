"""Full-text search over message content: a GIN index on PostgreSQL, an FTS5 table on SQLite

Revision ID: 5c1f2e8a9b70
Revises: 367613298272
Create Date: 2026-11-21 11:40:00

The SQLite FTS5 table is external-content (it stores only the index) and kept in sync by
triggers, so bulk inserts (the demo seed) are indexed too. A later batch migration that
recreates the `message` table on SQLite drops these triggers: recreate them there.
"""
from alembic import op

revision = "5c1f2e8a9b70"
down_revision = "367613298272"
branch_labels = None
depends_on = None

SQLITE_UP = [
    "CREATE VIRTUAL TABLE message_fts USING fts5(content, content='message', content_rowid='message_id', "
    "tokenize='porter unicode61')",
    "CREATE TRIGGER message_fts_insert AFTER INSERT ON message BEGIN "
    "INSERT INTO message_fts(rowid, content) VALUES (new.message_id, new.content); END",
    "CREATE TRIGGER message_fts_delete AFTER DELETE ON message BEGIN "
    "INSERT INTO message_fts(message_fts, rowid, content) VALUES ('delete', old.message_id, old.content); END",
    "CREATE TRIGGER message_fts_update AFTER UPDATE OF content ON message BEGIN "
    "INSERT INTO message_fts(message_fts, rowid, content) VALUES ('delete', old.message_id, old.content); "
    "INSERT INTO message_fts(rowid, content) VALUES (new.message_id, new.content); END",
    "INSERT INTO message_fts(message_fts) VALUES ('rebuild')",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS message_fts_update",
    "DROP TRIGGER IF EXISTS message_fts_delete",
    "DROP TRIGGER IF EXISTS message_fts_insert",
    "DROP TABLE IF EXISTS message_fts",
]


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        # The search query must use this exact expression for the planner to pick the index.
        op.execute("CREATE INDEX ix_message_content_fts ON message USING gin (to_tsvector('english', content))")
    else:
        for statement in SQLITE_UP:
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_message_content_fts")
    else:
        for statement in SQLITE_DOWN:
            op.execute(statement)
