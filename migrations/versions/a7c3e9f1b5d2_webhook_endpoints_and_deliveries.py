"""webhook_endpoint and webhook_delivery: outgoing webhooks

Revision ID: a7c3e9f1b5d2
Revises: f2a6c8e1d4b7
Create Date: 2026-11-27 00:40:00

"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = 'a7c3e9f1b5d2'
down_revision = 'f2a6c8e1d4b7'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade():
    op.create_table(
        'webhook_endpoint',
        sa.Column('webhook_endpoint_id', sa.Integer(), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('url', sa.String(length=2000), nullable=False),
        sa.Column('events', JSON, nullable=False),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('secret_encrypted', sa.Text(), nullable=False),
        sa.Column('previous_secret_encrypted', sa.Text(), nullable=True),
        sa.Column('previous_secret_expires_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('failing_since', sa.DateTime(timezone=True), nullable=True),
        sa.Column('disabled_reason', sa.String(length=300), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['customer_id'], ['customer.customer_id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('webhook_endpoint_id'),
    )
    with op.batch_alter_table('webhook_endpoint', schema=None) as batch_op:
        batch_op.create_index('ix_webhook_endpoint_customer_id', ['customer_id'], unique=False)
    op.create_table(
        'webhook_delivery',
        sa.Column('webhook_delivery_id', sa.Integer(), nullable=False),
        sa.Column('webhook_endpoint_id', sa.Integer(), nullable=False),
        sa.Column('event_id', sa.String(length=40), nullable=False),
        sa.Column('event_type', sa.String(length=60), nullable=False),
        sa.Column('payload', JSON, nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('response_status', sa.Integer(), nullable=True),
        sa.Column('latency_ms', sa.Integer(), nullable=True),
        sa.Column('response_excerpt', sa.Text(), nullable=True),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['webhook_endpoint_id'], ['webhook_endpoint.webhook_endpoint_id'],
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('webhook_delivery_id'),
    )
    with op.batch_alter_table('webhook_delivery', schema=None) as batch_op:
        batch_op.create_index('ix_webhook_delivery_event_id', ['event_id'], unique=False)
        batch_op.create_index('ix_webhook_delivery_endpoint_created',
                              ['webhook_endpoint_id', 'created_at', 'webhook_delivery_id'], unique=False)


def downgrade():
    op.drop_table('webhook_delivery')
    op.drop_table('webhook_endpoint')
