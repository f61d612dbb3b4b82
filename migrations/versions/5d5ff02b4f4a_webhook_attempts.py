"""webhook_attempt: every attempt of a webhook delivery (time, status or error, latency, first KB)

Revision ID: 5d5ff02b4f4a
Revises: 44eaa36dc2d8
Create Date: 2026-11-27 02:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '5d5ff02b4f4a'
down_revision = '44eaa36dc2d8'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'webhook_attempt',
        sa.Column('webhook_attempt_id', sa.Integer(), nullable=False),
        sa.Column('webhook_delivery_id', sa.Integer(), nullable=False),
        sa.Column('attempted_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('response_status', sa.Integer(), nullable=True),
        sa.Column('error', sa.String(length=500), nullable=True),
        sa.Column('latency_ms', sa.Integer(), nullable=True),
        sa.Column('response_excerpt', sa.Text(), nullable=True),
        sa.Column('succeeded', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['webhook_delivery_id'], ['webhook_delivery.webhook_delivery_id'],
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('webhook_attempt_id'),
    )
    with op.batch_alter_table('webhook_attempt', schema=None) as batch_op:
        batch_op.create_index('ix_webhook_attempt_delivery', ['webhook_delivery_id', 'webhook_attempt_id'],
                              unique=False)
    # Deliveries made before this table kept only their last attempt: it becomes their one logged attempt.
    op.execute(
        "INSERT INTO webhook_attempt (webhook_delivery_id, attempted_at, response_status, latency_ms, "
        "response_excerpt, succeeded) SELECT webhook_delivery_id, updated_at, response_status, latency_ms, "
        "response_excerpt, status = 'succeeded' FROM webhook_delivery WHERE attempts > 0")


def downgrade():
    op.drop_table('webhook_attempt')
