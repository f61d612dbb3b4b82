"""login_session.id_token dropped: Cognito's /logout needs only client_id and logout_uri, so no ID token is kept

Revision ID: 22b8a5ab56a8
Revises: e3b9d4a7c1f2
Create Date: 2026-12-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = '22b8a5ab56a8'
down_revision = 'e3b9d4a7c1f2'
branch_labels = None
depends_on = None

# SQLite's batch mode reflects the table it recreates; without resolving foreign keys it does not reflect
# `customer` too, whose expression index (lower(name)) SQLAlchemy cannot reflect and warns about.
NO_REFERENCED_TABLES = {'resolve_fks': False}


def upgrade():
    # Dropping the column discards every stored ID token with it (they were kept in clear).
    with op.batch_alter_table('login_session', reflect_kwargs=NO_REFERENCED_TABLES) as batch_op:
        batch_op.drop_column('id_token')


def downgrade():
    with op.batch_alter_table('login_session', reflect_kwargs=NO_REFERENCED_TABLES) as batch_op:
        batch_op.add_column(sa.Column('id_token', sa.Text(), nullable=True))
