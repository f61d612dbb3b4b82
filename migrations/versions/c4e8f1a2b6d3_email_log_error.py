"""email_log.error: why a failed follow-up email failed; an index for the log's failed-only filter

Revision ID: c4e8f1a2b6d3
Revises: 9a3e7c5d2b14
Create Date: 2026-11-21 12:20:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'c4e8f1a2b6d3'
down_revision = '9a3e7c5d2b14'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('email_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('error', sa.String(length=500), nullable=True))
        batch_op.create_index('ix_email_log_customer_id_status_sent_at',
                              ['customer_id', 'status', 'sent_at', 'email_log_id'], unique=False)


def downgrade():
    with op.batch_alter_table('email_log', schema=None) as batch_op:
        batch_op.drop_index('ix_email_log_customer_id_status_sent_at')
        batch_op.drop_column('error')
