"""email.send_html: a template may also send its body as HTML rendered from Markdown

Revision ID: a7c3e9f1d2b4
Revises: 5e8b2d41c9a7
Create Date: 2026-11-27 05:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = 'a7c3e9f1d2b4'
down_revision = '5e8b2d41c9a7'
branch_labels = None
depends_on = None

# SQLite's batch mode reflects the table it recreates; without resolving foreign keys it does not reflect
# `customer` too, whose expression index (lower(name)) SQLAlchemy cannot reflect and warns about.
NO_REFERENCED_TABLES = {'resolve_fks': False}


def upgrade():
    with op.batch_alter_table('email', schema=None, reflect_kwargs=NO_REFERENCED_TABLES) as batch_op:
        batch_op.add_column(sa.Column('send_html', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('email', schema=None, reflect_kwargs=NO_REFERENCED_TABLES) as batch_op:
        batch_op.drop_column('send_html')
