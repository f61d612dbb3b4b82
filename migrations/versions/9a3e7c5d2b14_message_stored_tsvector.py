"""PostgreSQL: search a stored tsvector column instead of computing to_tsvector per row

Revision ID: 9a3e7c5d2b14
Revises: 8e4d2a6c1f03
Create Date: 2026-11-21 11:55:00

Searching newest conversations first checks each candidate message against the query; with the
expression index that meant running to_tsvector on every message read. A stored generated column
computes it once per message, on write. SQLite keeps its FTS5 table and needs nothing here.
"""
from alembic import op

revision = "9a3e7c5d2b14"
down_revision = "8e4d2a6c1f03"
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_message_content_fts")
    op.execute("ALTER TABLE message ADD COLUMN content_tsv tsvector "
               "GENERATED ALWAYS AS (to_tsvector('english', content)) STORED")
    op.execute("CREATE INDEX ix_message_content_fts ON message USING gin (content_tsv)")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP INDEX IF EXISTS ix_message_content_fts")
    op.execute("ALTER TABLE message DROP COLUMN IF EXISTS content_tsv")
    op.execute("CREATE INDEX ix_message_content_fts ON message USING gin (to_tsvector('english', content))")
