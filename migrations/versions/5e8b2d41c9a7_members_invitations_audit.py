"""member, invitation, audit_event; login_session.member_id, api_key.member_id, plan_access.max_members

Every existing business's sign-in becomes its owner member (its email, Cognito sub and password),
and every live sign-in and API key is attributed to that owner: nobody loses access.

Revision ID: 5e8b2d41c9a7
Revises: 5d5ff02b4f4a
Create Date: 2026-11-27 02:30:00

"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '5e8b2d41c9a7'
down_revision = '5d5ff02b4f4a'
branch_labels = None
depends_on = None

# SQLite's batch mode reflects the table it recreates; without resolving foreign keys it does not reflect
# `customer` too, whose expression index (lower(name)) SQLAlchemy cannot reflect and warns about.
NO_REFERENCED_TABLES = {'resolve_fks': False}

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def upgrade():
    op.create_table(
        'member',
        sa.Column('member_id', sa.Integer(), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=255), nullable=False),
        sa.Column('email', sa.String(length=255), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('transcripts_hidden', sa.Boolean(), nullable=False),
        sa.Column('cognito_id', sa.String(length=255), nullable=True),
        sa.Column('password_hash', sa.String(length=255), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['customer_id'], ['customer.customer_id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('member_id'),
        sa.UniqueConstraint('email'),
        sa.UniqueConstraint('cognito_id'),
    )
    with op.batch_alter_table('member', schema=None, reflect_kwargs=NO_REFERENCED_TABLES) as batch_op:
        batch_op.create_index('ix_member_customer_id', ['customer_id'], unique=False)

    op.create_table(
        'invitation',
        sa.Column('invitation_id', sa.Integer(), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=255), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('transcripts_hidden', sa.Boolean(), nullable=False),
        sa.Column('nonce', sa.String(length=64), nullable=False),
        sa.Column('invited_by_member_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('accepted_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['customer_id'], ['customer.customer_id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['invited_by_member_id'], ['member.member_id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('invitation_id'),
        sa.UniqueConstraint('nonce'),
    )
    with op.batch_alter_table('invitation', schema=None, reflect_kwargs=NO_REFERENCED_TABLES) as batch_op:
        batch_op.create_index('ix_invitation_customer_id', ['customer_id'], unique=False)
        batch_op.create_index('ix_invitation_customer_email', ['customer_id', 'email'], unique=False)
        batch_op.create_index('ix_invitation_invited_by_member_id', ['invited_by_member_id'], unique=False)

    op.create_table(
        'audit_event',
        sa.Column('audit_event_id', sa.Integer(), nullable=False),
        sa.Column('customer_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('actor_kind', sa.String(length=16), nullable=False),
        sa.Column('actor_member_id', sa.Integer(), nullable=True),
        sa.Column('actor_api_key_id', sa.Integer(), nullable=True),
        sa.Column('actor_label', sa.String(length=255), nullable=False),
        sa.Column('ip_address', sa.String(length=64), nullable=True),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('subject', sa.String(length=300), nullable=False),
        sa.Column('changes', JSON, nullable=False),
        sa.ForeignKeyConstraint(['customer_id'], ['customer.customer_id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['actor_member_id'], ['member.member_id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['actor_api_key_id'], ['api_key.api_key_id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('audit_event_id'),
    )
    with op.batch_alter_table('audit_event', schema=None, reflect_kwargs=NO_REFERENCED_TABLES) as batch_op:
        batch_op.create_index('ix_audit_event_customer_created', ['customer_id', 'created_at', 'audit_event_id'],
                              unique=False)
        batch_op.create_index('ix_audit_event_actor_member_id', ['actor_member_id'], unique=False)
        batch_op.create_index('ix_audit_event_actor_api_key_id', ['actor_api_key_id'], unique=False)
        batch_op.create_index('ix_audit_event_customer_kind', ['customer_id', 'kind', 'created_at'], unique=False)
        batch_op.create_index('ix_audit_event_customer_actor', ['customer_id', 'actor_member_id', 'created_at'],
                              unique=False)

    with op.batch_alter_table('login_session', schema=None, reflect_kwargs=NO_REFERENCED_TABLES) as batch_op:
        batch_op.add_column(sa.Column('member_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_login_session_member_id', ['member_id'], unique=False)
        batch_op.create_foreign_key('fk_login_session_member_id', 'member', ['member_id'], ['member_id'],
                                    ondelete='CASCADE')
    with op.batch_alter_table('api_key', schema=None, reflect_kwargs=NO_REFERENCED_TABLES) as batch_op:
        batch_op.add_column(sa.Column('member_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_api_key_member_id', ['member_id'], unique=False)
        batch_op.create_foreign_key('fk_api_key_member_id', 'member', ['member_id'], ['member_id'],
                                    ondelete='SET NULL')
    with op.batch_alter_table('plan_access', schema=None, reflect_kwargs=NO_REFERENCED_TABLES) as batch_op:
        batch_op.add_column(sa.Column('max_members', sa.Integer(), nullable=True))

    # Each business's one sign-in becomes its owner member: same email, Cognito sub and password.
    op.execute(
        "INSERT INTO member (customer_id, name, email, role, transcripts_hidden, cognito_id, password_hash, created_at) "
        "SELECT customer_id, name, email, 'owner', false, cognito_id, password_hash, created_at FROM customer"
    )
    # Signed-in browsers and existing keys belong to that owner: nobody is signed out, no key stops working.
    op.execute(
        "UPDATE login_session SET member_id = (SELECT member.member_id FROM member "
        "WHERE member.customer_id = login_session.customer_id)"
    )
    op.execute(
        "UPDATE api_key SET member_id = (SELECT member.member_id FROM member "
        "WHERE member.customer_id = api_key.customer_id)"
    )


def downgrade():
    # The owner's password goes back to the business row it came from (it may have changed since).
    op.execute(
        "UPDATE customer SET password_hash = (SELECT member.password_hash FROM member "
        "WHERE member.customer_id = customer.customer_id AND member.role = 'owner' "
        "ORDER BY member.member_id LIMIT 1)"
    )
    # Without members, a teammate's sign-in would act as the whole business: end those sign-ins.
    op.execute(
        "DELETE FROM login_session WHERE member_id IS NULL OR member_id NOT IN "
        "(SELECT member_id FROM member WHERE role = 'owner')"
    )
    with op.batch_alter_table('plan_access', schema=None, reflect_kwargs=NO_REFERENCED_TABLES) as batch_op:
        batch_op.drop_column('max_members')
    with op.batch_alter_table('api_key', schema=None, reflect_kwargs=NO_REFERENCED_TABLES) as batch_op:
        batch_op.drop_constraint('fk_api_key_member_id', type_='foreignkey')
        batch_op.drop_index('ix_api_key_member_id')
        batch_op.drop_column('member_id')
    with op.batch_alter_table('login_session', schema=None, reflect_kwargs=NO_REFERENCED_TABLES) as batch_op:
        batch_op.drop_constraint('fk_login_session_member_id', type_='foreignkey')
        batch_op.drop_index('ix_login_session_member_id')
        batch_op.drop_column('member_id')
    op.drop_table('audit_event')
    op.drop_table('invitation')
    op.drop_table('member')
