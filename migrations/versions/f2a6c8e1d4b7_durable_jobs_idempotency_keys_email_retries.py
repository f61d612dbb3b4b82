"""job (the durable outbox), idempotency_key (API retries), email_log message_id/attempts/next_attempt_at

Revision ID: f2a6c8e1d4b7
Revises: f4a9c2e7b1d8
Create Date: 2026-11-26 23:10:00

"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = 'f2a6c8e1d4b7'
down_revision = 'f4a9c2e7b1d8'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade():
    op.create_table(
        'job',
        sa.Column('job_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=200), nullable=False),
        sa.Column('arguments', JSON, nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('max_attempts', sa.Integer(), nullable=False),
        sa.Column('run_after', sa.DateTime(timezone=True), nullable=False),
        sa.Column('lease_expires_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('handed_over_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('dedupe_key', sa.String(length=200), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('job_id'),
    )
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.create_index('ix_job_state_run_after', ['state', 'run_after'], unique=False)
        batch_op.create_index('ix_job_state_lease_expires_at', ['state', 'lease_expires_at'], unique=False)
        batch_op.create_index('ix_job_dedupe_key_state', ['dedupe_key', 'state'], unique=False)

    op.create_table(
        'idempotency_key',
        sa.Column('idempotency_key_id', sa.Integer(), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=255), nullable=False),
        sa.Column('request_hash', sa.String(length=64), nullable=False),
        sa.Column('status_code', sa.Integer(), nullable=True),
        sa.Column('response_body', sa.LargeBinary(), nullable=True),
        sa.Column('response_headers', JSON, nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['customer_id'], ['customer.customer_id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('idempotency_key_id'),
        sa.UniqueConstraint('customer_id', 'key', name='uq_idempotency_key_customer_id_key'),
    )
    with op.batch_alter_table('idempotency_key', schema=None) as batch_op:
        batch_op.create_index('ix_idempotency_key_customer_id_created_at', ['customer_id', 'created_at'],
                              unique=False)

    with op.batch_alter_table('email_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message_id', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('attempts', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('email_log', schema=None) as batch_op:
        batch_op.drop_column('next_attempt_at')
        batch_op.drop_column('attempts')
        batch_op.drop_column('message_id')
    with op.batch_alter_table('idempotency_key', schema=None) as batch_op:
        batch_op.drop_index('ix_idempotency_key_customer_id_created_at')
    op.drop_table('idempotency_key')
    with op.batch_alter_table('job', schema=None) as batch_op:
        batch_op.drop_index('ix_job_dedupe_key_state')
        batch_op.drop_index('ix_job_state_lease_expires_at')
        batch_op.drop_index('ix_job_state_run_after')
    op.drop_table('job')
