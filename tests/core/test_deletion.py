"""What deleting an agent or a customer takes with it, and what it keeps."""
from sqlalchemy import func, select

from dashboard.agents.builder.operations import delete_agent
from dashboard.auth.operations import delete_customer
from dashboard.extensions import db
from dashboard.models import (
    Agent,
    AgentAssignment,
    Analysis,
    BusinessAnalysis,
    Contract,
    Conversation,
    Customer,
    CustomTool,
    EmailLog,
    EmailTemplate,
    Interaction,
    KnowledgeSource,
    Lead,
    Message,
    Service,
    ServiceMatch,
    ThirdPartyApp,
    ThirdPartyOAuth,
    Visitor,
)
from tests import factories


def count(model, *where):
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def test_deleting_an_agent_deletes_its_tools_sources_templates_and_connections(app, customer):
    agent = factories.make_agent(customer)
    factories.make_tool(agent)
    factories.make_knowledge_source(agent)
    factories.make_email_template(customer, agent)
    factories.make_connection(agent)
    db.session.commit()

    delete_agent(agent)
    db.session.commit()

    assert count(CustomTool) == 0
    assert count(KnowledgeSource) == 0
    assert count(EmailTemplate) == 0
    assert count(ThirdPartyOAuth) == 0
    assert count(ThirdPartyApp) == 1  # the catalog is shared and stays


def test_deleting_an_agent_keeps_its_conversations_and_email_log(app, customer):
    agent = factories.make_agent(customer)
    visitor = factories.make_visitor(customer)
    conversation = factories.make_conversation(customer, agent, visitor, messages=3)
    template = factories.make_email_template(customer, agent)
    factories.make_email_log(customer, template, conversation, visitor, agent)
    db.session.commit()
    conversation_id = conversation.session_id

    delete_agent(agent)
    db.session.commit()
    db.session.expire_all()

    kept = db.session.get(Conversation, conversation_id)
    assert kept is not None and kept.agent_id is None and kept.customer_id == customer.customer_id
    assert count(Message, Message.session_id == conversation_id) == 3
    assert count(Analysis, Analysis.session_id == conversation_id) == 1
    log = db.session.scalars(select(EmailLog)).one()
    assert log.agent_id is None and log.email_pk is None and log.session_id == conversation_id


def test_deleting_a_customer_deletes_everything_it_owns_and_nothing_else(app, customer, other_customer):
    for owner in (customer, other_customer):
        agent = factories.make_agent(owner)
        visitor = factories.make_visitor(owner)
        conversation = factories.make_conversation(owner, agent, visitor)
        factories.make_tool(agent)
        factories.make_knowledge_source(agent)
        template = factories.make_email_template(owner, agent)
        factories.make_email_log(owner, template, conversation, visitor, agent)
        factories.make_connection(agent)
        lead, service = factories.make_lead(owner), factories.make_service(owner)
        factories.make_match(owner, lead, service)
        factories.make_interaction(owner, lead, session_id=conversation.session_id)
        factories.make_business_analysis(owner, service)
        factories.make_assignment(owner, lead, agent)
    db.session.commit()
    gone = customer.customer_id

    delete_customer(customer)
    db.session.commit()

    assert db.session.get(Customer, gone) is None
    for model in (Agent, Visitor, Conversation, Contract, EmailTemplate, EmailLog, Lead, Service, ServiceMatch,
                  Interaction, BusinessAnalysis, AgentAssignment):
        assert count(model, model.customer_id == gone) == 0, model.__name__
        assert count(model, model.customer_id == other_customer.customer_id) == 1, model.__name__
    for model in (Message, Analysis, CustomTool, KnowledgeSource, ThirdPartyOAuth):
        assert count(model) > 0, model.__name__  # the other customer's rows remain
    assert count(Message) == 4 and count(Analysis) == 1 and count(CustomTool) == 1
