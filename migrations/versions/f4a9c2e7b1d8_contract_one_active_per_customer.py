"""contract: at most one active per customer (a partial unique index), duplicates recorded and cancelled at Stripe

Revision ID: f4a9c2e7b1d8
Revises: 22b8a5ab56a8
Create Date: 2026-11-22 10:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'f4a9c2e7b1d8'
down_revision = '22b8a5ab56a8'
branch_labels = None
depends_on = None

ACTIVE = "status = 'active'"
TO_CANCEL = "status = 'duplicate' AND stripe_cancelled_at IS NULL"
EXTRA_ACTIVE_REASON = ("A second active contract found when one live contract per customer was enforced: "
                       "the first one applied was kept and this subscription is cancelled at Stripe.")


def upgrade():
    with op.batch_alter_table('contract', schema=None) as batch_op:
        batch_op.add_column(sa.Column('end_reason', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('stripe_cancel_started_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('stripe_cancelled_at', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('stripe_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('outcome', sa.String(length=300), nullable=True))
    # Customers the old race left with several active contracts keep the first one applied; the others
    # become duplicates, which `cancel_duplicate_subscriptions()` cancels at Stripe (nobody pays twice).
    op.execute(sa.text(
        "UPDATE contract SET status = 'duplicate', ended_at = created_at, end_reason = :reason "
        "WHERE status = 'active' AND EXISTS (SELECT 1 FROM contract AS earlier "
        "WHERE earlier.customer_id = contract.customer_id AND earlier.status = 'active' "
        "AND earlier.contract_id < contract.contract_id)").bindparams(reason=EXTRA_ACTIVE_REASON))
    op.create_index('uq_contract_one_active_per_customer', 'contract', ['customer_id'], unique=True,
                    postgresql_where=sa.text(ACTIVE), sqlite_where=sa.text(ACTIVE))
    op.create_index('ix_contract_duplicate_to_cancel', 'contract', ['contract_id'],
                    postgresql_where=sa.text(TO_CANCEL), sqlite_where=sa.text(TO_CANCEL))


def downgrade():
    op.drop_index('ix_contract_duplicate_to_cancel', table_name='contract')
    op.drop_index('uq_contract_one_active_per_customer', table_name='contract')
    with op.batch_alter_table('stripe_event', schema=None) as batch_op:
        batch_op.drop_column('outcome')
    with op.batch_alter_table('contract', schema=None) as batch_op:
        batch_op.drop_column('stripe_cancelled_at')
        batch_op.drop_column('stripe_cancel_started_at')
        batch_op.drop_column('end_reason')
