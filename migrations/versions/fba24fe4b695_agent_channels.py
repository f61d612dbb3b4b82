"""agent.channels: voice, chat or both (what the widget offers)

Revision ID: fba24fe4b695
Revises: 7dca1e7b06e3
Create Date: 2026-11-27 02:05:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'fba24fe4b695'
down_revision = '7dca1e7b06e3'
branch_labels = None
depends_on = None


def upgrade():
    # Existing agents keep what their widget offered until now: voice calls only.
    with op.batch_alter_table('agent', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channels', sa.String(length=8), server_default='voice', nullable=False))


def downgrade():
    with op.batch_alter_table('agent', schema=None) as batch_op:
        batch_op.drop_column('channels')
