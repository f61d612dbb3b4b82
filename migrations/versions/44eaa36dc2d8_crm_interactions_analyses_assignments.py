"""CallCall.ai models completed: interaction, business_analysis, agent_assignment, service_price; lead email
unique per business and engagement derived from interactions; service.category; agent.creates_leads

Revision ID: 44eaa36dc2d8
Revises: fba24fe4b695
Create Date: 2026-11-27 02:00:00

"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '44eaa36dc2d8'
down_revision = 'fba24fe4b695'
branch_labels = None
depends_on = None

# SQLite's batch mode reflects the table it recreates; without resolving foreign keys it does not reflect
# `customer` too, whose expression index (lower(name)) SQLAlchemy cannot reflect and warns about.
NO_REFERENCED_TABLES = {'resolve_fks': False}

JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def _owned(*columns):
    return [sa.Column('customer_id', sa.Integer(), sa.ForeignKey('customer.customer_id', ondelete='CASCADE'),
                      nullable=False), *columns]


def _times():
    return [sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
            sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False)]


def upgrade():
    # Leads that shared an email within one business keep it on the oldest; the others lose the address
    # (their rows, names and phones stay), so one lead per email per business can be enforced.
    op.execute(sa.text(
        "UPDATE lead SET email = NULL WHERE email IS NOT NULL AND EXISTS (SELECT 1 FROM lead AS older "
        "WHERE older.customer_id = lead.customer_id AND lower(older.email) = lower(lead.email) "
        "AND older.lead_id < lead.lead_id)"))
    op.execute(sa.text("UPDATE lead SET email = lower(email) WHERE email IS NOT NULL"))
    with op.batch_alter_table('lead', schema=None, reflect_kwargs=NO_REFERENCED_TABLES) as batch_op:
        batch_op.add_column(sa.Column('last_contact_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('total_interactions', sa.Integer(), server_default='0', nullable=False))
        batch_op.create_unique_constraint('uq_lead_customer_id_email', ['customer_id', 'email'])
        batch_op.create_index('ix_lead_customer_id_phone', ['customer_id', 'phone'], unique=False)
    with op.batch_alter_table('agent', schema=None, reflect_kwargs=NO_REFERENCED_TABLES) as batch_op:
        batch_op.add_column(sa.Column('creates_leads', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('service', schema=None, reflect_kwargs=NO_REFERENCED_TABLES) as batch_op:
        batch_op.add_column(sa.Column('category', sa.String(length=64), nullable=True))
        batch_op.create_index('ix_service_customer_id_type_category', ['customer_id', 'type', 'category'],
                              unique=False)
    with op.batch_alter_table('service_match', schema=None, reflect_kwargs=NO_REFERENCED_TABLES) as batch_op:
        batch_op.create_index('ix_service_match_customer_id_status', ['customer_id', 'status'], unique=False)

    op.create_table(
        'service_price',
        sa.Column('service_price_id', sa.Integer(), nullable=False),
        *_owned(),
        sa.Column('service_id', sa.Integer(), sa.ForeignKey('service.service_id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('price', sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('service_price_id'),
    )
    op.create_index('ix_service_price_customer_id', 'service_price', ['customer_id'])
    op.create_index('ix_service_price_service_id_changed_at', 'service_price', ['service_id', 'changed_at'])

    op.create_table(
        'interaction',
        sa.Column('interaction_id', sa.Integer(), nullable=False),
        *_owned(),
        sa.Column('lead_id', sa.Integer(), sa.ForeignKey('lead.lead_id', ondelete='CASCADE'), nullable=False),
        sa.Column('session_id', sa.Integer(), sa.ForeignKey('session.session_id', ondelete='SET NULL'),
                  nullable=True),
        sa.Column('type', sa.String(length=16), nullable=False),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('content', sa.Text(), nullable=False),
        sa.Column('sentiment', sa.String(length=16), nullable=True),
        sa.Column('intent', sa.String(length=64), nullable=True),
        sa.Column('urgency', sa.String(length=8), nullable=True),
        *_times(),
        sa.PrimaryKeyConstraint('interaction_id'),
        sa.UniqueConstraint('session_id'),
    )
    op.create_index('ix_interaction_customer_id', 'interaction', ['customer_id'])
    op.create_index('ix_interaction_lead_id_created_at', 'interaction', ['lead_id', 'created_at', 'interaction_id'])
    op.create_index('ix_interaction_lead_id_type', 'interaction', ['lead_id', 'type'])
    op.create_index('ix_interaction_lead_id_channel', 'interaction', ['lead_id', 'channel'])
    op.create_index('ix_interaction_lead_id_sentiment', 'interaction', ['lead_id', 'sentiment'])

    op.create_table(
        'business_analysis',
        sa.Column('analysis_id', sa.Integer(), nullable=False),
        *_owned(),
        sa.Column('service_id', sa.Integer(), sa.ForeignKey('service.service_id', ondelete='CASCADE'),
                  nullable=False),
        sa.Column('business_data', JSON, nullable=False),
        sa.Column('predictions', JSON, nullable=False),
        *_times(),
        sa.PrimaryKeyConstraint('analysis_id'),
    )
    op.create_index('ix_business_analysis_customer_id', 'business_analysis', ['customer_id'])
    op.create_index('ix_business_analysis_service_id_analysis_id', 'business_analysis', ['service_id', 'analysis_id'])

    op.create_table(
        'agent_assignment',
        sa.Column('assignment_id', sa.Integer(), nullable=False),
        *_owned(),
        sa.Column('lead_id', sa.Integer(), sa.ForeignKey('lead.lead_id', ondelete='CASCADE'), nullable=False),
        sa.Column('agent_id', sa.Integer(), sa.ForeignKey('agent.agent_id', ondelete='CASCADE'), nullable=False),
        sa.Column('match_score', sa.Integer(), nullable=False),
        sa.Column('match_factors', JSON, nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('performance', JSON, nullable=False),
        *_times(),
        sa.PrimaryKeyConstraint('assignment_id'),
        sa.UniqueConstraint('lead_id'),
    )
    op.create_index('ix_agent_assignment_customer_id', 'agent_assignment', ['customer_id'])
    op.create_index('ix_agent_assignment_agent_id', 'agent_assignment', ['agent_id'])
    op.create_index('ix_agent_assignment_customer_id_status', 'agent_assignment', ['customer_id', 'status'])

    # Every existing service gets its category column and starts its price history at its current price.
    bind = op.get_bind()
    service = sa.table('service', sa.column('service_id', sa.Integer), sa.column('customer_id', sa.Integer),
                       sa.column('details', JSON), sa.column('created_at', sa.DateTime(timezone=True)),
                       sa.column('category', sa.String))
    price = sa.table('service_price', sa.column('customer_id', sa.Integer), sa.column('service_id', sa.Integer),
                     sa.column('price', sa.Numeric(12, 2)), sa.column('changed_at', sa.DateTime(timezone=True)))
    rows = bind.execute(sa.select(service.c.service_id, service.c.customer_id, service.c.details,
                                  service.c.created_at)).all()
    for service_id, customer_id, details, created_at in rows:
        details = details or {}
        category = details.get('category') if isinstance(details.get('category'), str) else None
        if category:
            bind.execute(service.update().where(service.c.service_id == service_id).values(category=category[:64]))
        amount = details.get('price')
        if isinstance(amount, (int, float)) and not isinstance(amount, bool):
            bind.execute(price.insert().values(customer_id=customer_id, service_id=service_id, price=amount,
                                               changed_at=created_at))


def downgrade():
    op.drop_table('agent_assignment')
    op.drop_table('business_analysis')
    op.drop_table('interaction')
    op.drop_table('service_price')
    with op.batch_alter_table('service_match', schema=None, reflect_kwargs=NO_REFERENCED_TABLES) as batch_op:
        batch_op.drop_index('ix_service_match_customer_id_status')
    with op.batch_alter_table('agent', schema=None, reflect_kwargs=NO_REFERENCED_TABLES) as batch_op:
        batch_op.drop_column('creates_leads')
    with op.batch_alter_table('service', schema=None, reflect_kwargs=NO_REFERENCED_TABLES) as batch_op:
        batch_op.drop_index('ix_service_customer_id_type_category')
        batch_op.drop_column('category')
    with op.batch_alter_table('lead', schema=None, reflect_kwargs=NO_REFERENCED_TABLES) as batch_op:
        batch_op.drop_index('ix_lead_customer_id_phone')
        batch_op.drop_constraint('uq_lead_customer_id_email', type_='unique')
        batch_op.drop_column('total_interactions')
        batch_op.drop_column('last_contact_at')
