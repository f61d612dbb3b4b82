"""contract.cancel_at_period_end: a Stripe subscription cancelled to end with its paid period

Revision ID: 8e4d2a6c1f03
Revises: 5b1c0e7d9a42
Create Date: 2026-11-21 11:45:00

"""
import sqlalchemy as sa
from alembic import op

revision = '8e4d2a6c1f03'
down_revision = '5b1c0e7d9a42'
branch_labels = None
depends_on = None

# SQLite's batch mode reflects the table it recreates; without resolving foreign keys it does not reflect
# `customer` too, whose expression index (lower(name)) SQLAlchemy cannot reflect and warns about.
NO_REFERENCED_TABLES = {'resolve_fks': False}


def upgrade():
    with op.batch_alter_table('contract', schema=None, reflect_kwargs=NO_REFERENCED_TABLES) as batch_op:
        batch_op.add_column(sa.Column('cancel_at_period_end', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))


def downgrade():
    with op.batch_alter_table('contract', schema=None, reflect_kwargs=NO_REFERENCED_TABLES) as batch_op:
        batch_op.drop_column('cancel_at_period_end')
