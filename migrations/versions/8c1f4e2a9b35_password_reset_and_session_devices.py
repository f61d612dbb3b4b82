"""password_reset (forgot-password links, hashed, single use, an hour); login_session.user_agent/ip_address
(Settings → Your account lists a member's signed-in sessions)

Revision ID: 8c1f4e2a9b35
Revises: a7c3e9f1d2b4
Create Date: 2026-11-27 05:30:00

"""
import sqlalchemy as sa
from alembic import op

revision = '8c1f4e2a9b35'
down_revision = 'a7c3e9f1d2b4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'password_reset',
        sa.Column('password_reset_id', sa.Integer(), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['customer_id'], ['customer.customer_id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['member_id'], ['member.member_id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('password_reset_id'),
        sa.UniqueConstraint('token_hash'),
    )
    with op.batch_alter_table('password_reset', schema=None) as batch_op:
        batch_op.create_index('ix_password_reset_customer_id', ['customer_id'], unique=False)
        batch_op.create_index('ix_password_reset_member_created', ['member_id', 'created_at'], unique=False)
    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.add_column(sa.Column('user_agent', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('ip_address', sa.String(length=64), nullable=True))


def downgrade():
    with op.batch_alter_table('login_session', schema=None) as batch_op:
        batch_op.drop_column('ip_address')
        batch_op.drop_column('user_agent')
    with op.batch_alter_table('password_reset', schema=None) as batch_op:
        batch_op.drop_index('ix_password_reset_member_created')
        batch_op.drop_index('ix_password_reset_customer_id')
    op.drop_table('password_reset')
