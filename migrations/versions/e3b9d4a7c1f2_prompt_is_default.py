"""prompt.is_default: the prompt a new agent starts with is data, at most one (a partial unique index)

Revision ID: e3b9d4a7c1f2
Revises: d7a1f3c9e2b5
Create Date: 2026-11-28 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = 'e3b9d4a7c1f2'
down_revision = 'd7a1f3c9e2b5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('prompt') as batch_op:
        batch_op.add_column(sa.Column('is_default', sa.Boolean(), server_default=sa.false(), nullable=False))
    # The library's existing default was chosen by this name in code until now.
    prompt = sa.table('prompt', sa.column('name', sa.String), sa.column('is_default', sa.Boolean))
    op.execute(prompt.update().where(prompt.c.name == 'General assistant').values(is_default=True))
    op.create_index('uq_prompt_is_default', 'prompt', ['is_default'], unique=True,
                    postgresql_where=sa.text('is_default'), sqlite_where=sa.text('is_default = 1'))


def downgrade():
    op.drop_index('uq_prompt_is_default', table_name='prompt')
    with op.batch_alter_table('prompt') as batch_op:
        batch_op.drop_column('is_default')
