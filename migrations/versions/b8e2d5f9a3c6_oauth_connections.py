"""Third-party apps over OAuth: the catalog's OAuth settings, actions and retirement; a connection's status,
granted scopes, tool secret and refresh claim; plan access gains connect_apps

Revision ID: b8e2d5f9a3c6
Revises: a7c3e9f1b5d2
Create Date: 2026-11-27 02:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

revision = 'b8e2d5f9a3c6'
down_revision = 'a7c3e9f1b5d2'
branch_labels = None
depends_on = None

JSONType = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')


def upgrade():
    with op.batch_alter_table('third_party_app') as batch_op:
        batch_op.add_column(sa.Column('oauth', JSONType, nullable=True))
        batch_op.add_column(sa.Column('actions', JSONType, nullable=True))
        batch_op.add_column(sa.Column('is_retired', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('third_party_oauth') as batch_op:
        batch_op.add_column(sa.Column('status', sa.String(length=20), server_default='connected', nullable=False))
        batch_op.add_column(sa.Column('tool_key', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('refresh_claimed_until', sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table('plan_access') as batch_op:
        batch_op.add_column(sa.Column('connect_apps', sa.Boolean(), server_default=sa.true(), nullable=False))


def downgrade():
    with op.batch_alter_table('plan_access') as batch_op:
        batch_op.drop_column('connect_apps')
    with op.batch_alter_table('third_party_oauth') as batch_op:
        batch_op.drop_column('refresh_claimed_until')
        batch_op.drop_column('tool_key')
        batch_op.drop_column('status')
    with op.batch_alter_table('third_party_app') as batch_op:
        batch_op.drop_column('is_retired')
        batch_op.drop_column('actions')
        batch_op.drop_column('oauth')
