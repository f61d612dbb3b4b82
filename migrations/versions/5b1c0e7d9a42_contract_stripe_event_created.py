"""contract.stripe_event_created: the Stripe time of the last webhook event applied to a contract

Revision ID: 5b1c0e7d9a42
Revises: 5c1f2e8a9b70
Create Date: 2026-11-21 11:40:00

"""
import sqlalchemy as sa
from alembic import op

revision = '5b1c0e7d9a42'
down_revision = '5c1f2e8a9b70'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('contract', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stripe_event_created', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('contract', schema=None) as batch_op:
        batch_op.drop_column('stripe_event_created')
