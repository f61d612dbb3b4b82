"""analytics rollups (analytics_entry, analytics_daily, analytics_daily_label) and customer.time_zone

Revision ID: 7dca1e7b06e3
Revises: b8e2d5f9a3c6
Create Date: 2026-11-27 02:10:00

The rollups start empty: run `flask analytics rebuild` once after upgrading (the charts read only them).
"""
import sqlalchemy as sa
from alembic import op

revision = '7dca1e7b06e3'
down_revision = 'b8e2d5f9a3c6'
branch_labels = None
depends_on = None



def _bucket():
    return [
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('agent_id', sa.Integer(), nullable=False),
        sa.Column('channel', sa.String(length=8), nullable=False),
    ]


def upgrade():
    with op.batch_alter_table('customer', schema=None) as batch_op:
        batch_op.add_column(sa.Column('time_zone', sa.String(length=64), server_default='UTC', nullable=False))
    op.create_table(
        'analytics_entry',
        sa.Column('session_id', sa.Integer(), nullable=False),
        *_bucket(),
        sa.Column('duration_seconds', sa.Integer(), nullable=False),
        sa.Column('call_minutes', sa.Numeric(precision=7, scale=2), nullable=False),
        sa.Column('text_messages', sa.Integer(), nullable=False),
        sa.Column('messages', sa.Integer(), nullable=False),
        sa.Column('over_limit', sa.Boolean(), nullable=False),
        sa.Column('sentiment_milli', sa.Integer(), nullable=True),
        sa.Column('band', sa.String(length=8), nullable=True),
        sa.Column('intent', sa.String(length=64), nullable=True),
        sa.Column('category', sa.String(length=64), nullable=True),
        sa.Column('emails_sent', sa.Integer(), nullable=False),
        sa.Column('emails_failed', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['customer_id'], ['customer.customer_id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['session_id'], ['session.session_id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('session_id'),
    )
    with op.batch_alter_table('analytics_entry', schema=None) as batch_op:
        batch_op.create_index('ix_analytics_entry_customer_id', ['customer_id', 'session_id'], unique=False)
    op.create_table(
        'analytics_daily',
        sa.Column('analytics_daily_id', sa.Integer(), nullable=False),
        *_bucket(),
        sa.Column('conversations', sa.Integer(), nullable=False),
        sa.Column('duration_seconds', sa.BigInteger(), nullable=False),
        sa.Column('call_minutes', sa.Numeric(precision=14, scale=2), nullable=False),
        sa.Column('text_messages', sa.BigInteger(), nullable=False),
        sa.Column('messages', sa.BigInteger(), nullable=False),
        sa.Column('analysed', sa.Integer(), nullable=False),
        sa.Column('sentiment_milli', sa.BigInteger(), nullable=False),
        sa.Column('negative', sa.Integer(), nullable=False),
        sa.Column('neutral', sa.Integer(), nullable=False),
        sa.Column('positive', sa.Integer(), nullable=False),
        sa.Column('negative_unfollowed', sa.Integer(), nullable=False),
        sa.Column('over_limit', sa.Integer(), nullable=False),
        sa.Column('emails_sent', sa.Integer(), nullable=False),
        sa.Column('emails_failed', sa.Integer(), nullable=False),
        sa.Column('followed_up', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['customer_id'], ['customer.customer_id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('analytics_daily_id'),
    )
    with op.batch_alter_table('analytics_daily', schema=None) as batch_op:
        batch_op.create_index('uq_analytics_daily_bucket', ['customer_id', 'day', 'agent_id', 'channel'], unique=True)
    op.create_table(
        'analytics_daily_label',
        sa.Column('analytics_daily_label_id', sa.Integer(), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('agent_id', sa.Integer(), nullable=False),
        sa.Column('channel', sa.String(length=8), nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('conversations', sa.Integer(), nullable=False),
        sa.Column('analysed', sa.Integer(), nullable=False),
        sa.Column('sentiment_milli', sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(['customer_id'], ['customer.customer_id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('analytics_daily_label_id'),
    )
    with op.batch_alter_table('analytics_daily_label', schema=None) as batch_op:
        batch_op.create_index('uq_analytics_daily_label_bucket',
                              ['customer_id', 'kind', 'day', 'agent_id', 'channel', 'name'], unique=True)


def downgrade():
    op.drop_table('analytics_daily_label')
    op.drop_table('analytics_daily')
    op.drop_table('analytics_entry')
    with op.batch_alter_table('customer', schema=None) as batch_op:
        batch_op.drop_column('time_zone')
