"""session: a partial index for the over-limit filter (rare rows, found without a scan)

Revision ID: d7a1f3c9e2b5
Revises: c4e8f1a2b6d3
Create Date: 2026-11-21 12:30:00

"""
from alembic import op
import sqlalchemy as sa

revision = 'd7a1f3c9e2b5'
down_revision = 'c4e8f1a2b6d3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_session_over_limit', 'session', ['customer_id', 'created_at', 'session_id'],
                    postgresql_where=sa.text('over_limit'), sqlite_where=sa.text('over_limit = 1'))


def downgrade():
    op.drop_index('ix_session_over_limit', table_name='session')
