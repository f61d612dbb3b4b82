"""Factories for test data: each creates one row with sensible defaults and flushes it."""
from __future__ import annotations

import itertools
from datetime import datetime, timedelta
from decimal import Decimal

from dashboard.auth.operations import hash_password
from dashboard.database import utcnow
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
    Invitation,
    KnowledgeSource,
    Lead,
    LoginSession,
    Member,
    Message,
    Plan,
    PlanAccess,
    Prompt,
    PromptTemplate,
    Service,
    ServiceMatch,
    ThirdPartyApp,
    ThirdPartyOAuth,
    Visitor,
)

PASSWORD = "correct horse battery staple"
_PASSWORD_HASH = hash_password(PASSWORD)  # scrypt is slow on purpose: hash once per run
_sequence = itertools.count(1)

FULL_ACCESS = dict(
    max_call_minutes=1000, max_text_messages=10000, customize_bot_color=True, customize_bot_avatar=True,
    customize_bot_voice=True, customize_bot_name=True, send_emails=True, max_file_uploads=10,
    max_web_sources=5, call_recordings=True,
)


def _save(obj):
    db.session.add(obj)
    db.session.flush()
    return obj


def make_plan(name: str | None = None, cadence: str = "monthly", cost: str = "99.00", **access) -> Plan:
    n = next(_sequence)
    plan_access = _save(PlanAccess(**{**FULL_ACCESS, **access}))
    return _save(Plan(name=name or f"Plan {n}", description="A plan for tests", cadence=cadence,
                      cost_usd=Decimal(cost), plan_access_id=plan_access.plan_access_id, tier=n,
                      lookup_key=f"plan_{n}_{cadence}"))


def make_contract(customer: Customer, plan: Plan | None = None, days_left: int = 20) -> Contract:
    plan = plan or make_plan()
    now = utcnow()
    return _save(Contract(customer_id=customer.customer_id, plan_id=plan.plan_id, plan_access_id=plan.plan_access_id,
                          refreshed_date=now - timedelta(days=30 - days_left),
                          expiry_date=now + timedelta(days=days_left), status="active"))


def make_customer(name: str | None = None, email: str | None = None, with_contract: bool = True, **fields) -> Customer:
    n = next(_sequence)
    customer = _save(Customer(name=name or f"Business {n}", email=email or f"owner{n}@example.com",
                              phone="+14155550100", **fields))
    _save(Member(customer_id=customer.customer_id, name=f"Owner {n}", email=customer.email, role="owner",
                 transcripts_hidden=False, cognito_id=customer.cognito_id, password_hash=_PASSWORD_HASH))
    if with_contract:
        make_contract(customer)
    return customer


def make_member(customer: Customer, role: str = "viewer", email: str | None = None,
                transcripts_hidden: bool = False, name: str | None = None) -> Member:
    """A teammate of `customer` who signs in with PASSWORD."""
    n = next(_sequence)
    return _save(Member(customer_id=customer.customer_id, name=name or f"Teammate {n}",
                        email=email or f"teammate{n}@example.com", role=role,
                        transcripts_hidden=transcripts_hidden, password_hash=_PASSWORD_HASH))


def make_invitation(customer: Customer, email: str | None = None, role: str = "viewer", **fields) -> Invitation:
    """An open invitation (no email sent; the link is dashboard.teams.operations.token_for(invitation))."""
    import secrets

    n = next(_sequence)
    return _save(Invitation(customer_id=customer.customer_id, email=email or f"invited{n}@example.com", role=role,
                            transcripts_hidden=False, nonce=secrets.token_hex(16),
                            expires_at=fields.pop("expires_at", utcnow() + timedelta(days=7)), **fields))


def make_prompt(name: str | None = None, content: str = "You are a helpful assistant.", is_default: bool = False) -> Prompt:
    n = next(_sequence)
    template = _save(PromptTemplate(name=f"Template {n}", description="Prompts for tests"))
    return _save(Prompt(name=name or f"Prompt {n}", description="A prompt", content=content,
                        prompt_template_id=template.id, is_default=is_default))


def make_agent(customer: Customer, name: str = "Front Desk", **fields) -> Agent:
    fields.setdefault("ui_config", {"bot_name": name, "color": "#4b3fd6", "position": "bottom-right"})
    return _save(Agent(customer_id=customer.customer_id, name=name, description="Answers the phone", **fields))


def make_tool(agent: Agent, name: str = "check_availability", **fields) -> CustomTool:
    fields.setdefault("url", "https://api.example.com/availability")
    fields.setdefault("dynamic_params", [{"name": "date", "location": "query", "schema": {"type": "string"},
                                          "required": True}])
    fields.setdefault("static_params", [])
    return _save(CustomTool(agent_id=agent.agent_id, name=name, description="Finds free slots",
                            http_method="GET", **fields))


def make_knowledge_source(agent: Agent, **fields) -> KnowledgeSource:
    fields.setdefault("url", "https://www.example.com/faq")
    fields = {"kind": "web", "name": "FAQ", "status": "ready", **fields}
    return _save(KnowledgeSource(agent_id=agent.agent_id, **fields))


def make_visitor(customer: Customer, name: str = "Ava Nguyen", email: str | None = None) -> Visitor:
    n = next(_sequence)
    return _save(Visitor(customer_id=customer.customer_id, name=name, email=email or f"visitor{n}@example.net",
                         phone="+14155550199"))


def make_conversation(customer: Customer, agent: Agent | None = None, visitor: Visitor | None = None,
                      messages: int = 4, analysed: bool = True, channel: str = "chat",
                      created_at: datetime | None = None, **fields) -> Conversation:
    started = created_at or utcnow() - timedelta(hours=1)
    conversation = _save(Conversation(
        customer_id=customer.customer_id, agent_id=agent.agent_id if agent else None,
        visitor_id=visitor.visitor_id if visitor else None, channel=channel, is_active=False,
        created_at=started, ended_at=started + timedelta(minutes=5),
        call_minutes_used=Decimal("5.00") if channel == "voice" else Decimal("0"),
        text_messages_used=messages if channel == "chat" else 0, **fields,
    ))
    for i in range(messages):
        db.session.add(Message(session_id=conversation.session_id, role="visitor" if i % 2 else "agent",
                               content=f"Message number {i}", timestamp=started + timedelta(seconds=10 * i)))
    if analysed:
        db.session.add(Analysis(session_id=conversation.session_id, call_summary="The visitor booked a visit.",
                                intent="book_appointment", sentiment=0.6, sentiment_justification="Friendly",
                                category="scheduling", category_description="Bookings", action="Confirm by email",
                                sentiment_detailed=[]))
    db.session.flush()
    count_in_rollups(conversation)
    return conversation


def count_in_rollups(conversation: Conversation) -> None:
    """What the app does when a conversation ends or its analysis or an email is stored: move the rollups."""
    from dashboard.analytics.rollups import refresh

    db.session.flush()
    refresh(conversation.session_id)


def make_email_template(customer: Customer, agent: Agent | None = None, **fields) -> EmailTemplate:
    fields = {"sender_email": "hello@business.example", "email_subject": "Thanks for calling",
              "email_body": "Hi {{visitor_name}}", **fields}
    return _save(EmailTemplate(customer_id=customer.customer_id, agent_id=agent.agent_id if agent else None, **fields))


def make_email_log(customer: Customer, template: EmailTemplate | None = None, conversation: Conversation | None = None,
                   visitor: Visitor | None = None, agent: Agent | None = None) -> EmailLog:
    entry = EmailLog(customer_id=customer.customer_id, email_pk=template.email_pk if template else None,
                     session_id=conversation.session_id if conversation else None,
                     visitor_id=visitor.visitor_id if visitor else None,
                     agent_id=agent.agent_id if agent else None, recipient_email="visitor@example.net",
                     subject="Thanks for calling")
    return _save_email_log(entry, after=conversation)


def _save_email_log(entry: EmailLog, after: Conversation | None) -> EmailLog:
    entry = _save(entry)
    if after is not None:
        count_in_rollups(after)
    return entry


OAUTH = {"authorize_url": "https://provider.invalid/authorize", "token_url": "https://provider.invalid/token",
         "api_base": "https://api.provider.invalid", "scopes": ["read"], "token_auth_method": "client_secret_post"}


def make_app_catalog_entry(slug: str | None = None, coming_soon: bool = False, oauth: dict | None = None) -> ThirdPartyApp:
    """A catalog app; with `oauth` (e.g. factories.OAUTH) it can be connected where credentials are configured."""
    n = next(_sequence)
    return _save(ThirdPartyApp(name=f"App {n}", slug=slug or f"app-{n}", description="An app",
                               is_coming_soon=coming_soon, oauth=oauth, actions=[]))


def make_connection(agent: Agent, app: ThirdPartyApp | None = None) -> ThirdPartyOAuth:
    app = app or make_app_catalog_entry()
    from dashboard.integrations.tokens import seal

    return _save(ThirdPartyOAuth(agent_id=agent.agent_id, third_party_app_id=app.third_party_app_id,
                                 access_token=seal("at-plain"), refresh_token=seal("rt-plain"), additional_data={}))


def make_lead(customer: Customer, **fields) -> Lead:
    fields.setdefault("email", f"john{next(_sequence)}@example.com")  # one lead per email per business
    for name, value in (("preferences", {}), ("engagement", {}), ("first_name", "John"), ("last_name", "Doe"),
                        ("score", 85)):
        fields.setdefault(name, value)
    return _save(Lead(customer_id=customer.customer_id, **fields))


def make_service(customer: Customer, **fields) -> Service:
    return _save(Service(customer_id=customer.customer_id, type="consulting",
                         details={"price": 250, "duration": 60}, location={}, features=[], media={}, **fields))


def make_match(customer: Customer, lead: Lead, service: Service) -> ServiceMatch:
    return _save(ServiceMatch(customer_id=customer.customer_id, lead_id=lead.lead_id, service_id=service.service_id,
                              score=92, match_factors=["price_range"]))


def make_interaction(customer: Customer, lead: Lead | None = None, **fields) -> Interaction:
    lead = lead or make_lead(customer)
    fields.setdefault("type", "note")
    fields.setdefault("channel", "phone")
    fields.setdefault("content", "Called back")
    return _save(Interaction(customer_id=customer.customer_id, lead_id=lead.lead_id, **fields))


def make_business_analysis(customer: Customer, service: Service | None = None) -> BusinessAnalysis:
    service = service or make_service(customer)
    return _save(BusinessAnalysis(customer_id=customer.customer_id, service_id=service.service_id,
                                  business_data={"median_price": None, "price_trend": None, "days_on_market": 0,
                                                 "comparable_services": []},
                                  predictions={"estimated_value": None, "booking_rate": None,
                                               "conversion_probability": None}))


def make_assignment(customer: Customer, lead: Lead | None = None, agent: Agent | None = None) -> AgentAssignment:
    lead, agent = lead or make_lead(customer), agent or make_agent(customer)
    return _save(AgentAssignment(customer_id=customer.customer_id, lead_id=lead.lead_id, agent_id=agent.agent_id,
                                 match_score=50, match_factors=["availability"], status="active",
                                 performance={"response_time": None, "satisfaction_score": None}))


def make_api_key(customer: Customer, name: str = "Zapier"):
    """An API key and its clear secret (shown once in the app)."""
    from dashboard.auth.api_keys import create_api_key

    key, secret = create_api_key(customer, name)
    db.session.commit()
    return key, secret


def make_webhook_endpoint(customer: Customer, url: str = "https://hooks.invalid/angelcx", **fields):
    """An endpoint (its secret "whsec_test"); .invalid never resolves, so nothing leaves the machine."""
    from dashboard.webhooks_out.models import WebhookEndpoint
    from dashboard.webhooks_out.signing import encrypt

    fields.setdefault("events", ["conversation.ended"])
    return _save(WebhookEndpoint(customer_id=customer.customer_id, url=url, enabled=True,
                                 secret_encrypted=encrypt("whsec_test"), **fields))


def make_webhook_delivery(customer: Customer, endpoint=None):
    from dashboard.webhooks_out.models import WebhookDelivery

    endpoint = endpoint or make_webhook_endpoint(customer)
    return _save(WebhookDelivery(webhook_endpoint_id=endpoint.webhook_endpoint_id, event_id="evt_test",
                                 event_type="ping", payload={"id": "evt_test", "type": "ping"}, attempts=0,
                                 status="pending"))


def make_login_session(customer: Customer, member: Member | None = None) -> LoginSession:
    """A live sign-in of `member` (the business's first member by default), from a browser nobody holds."""
    import secrets

    member = member or db.session.scalars(db.select(Member).where(Member.customer_id == customer.customer_id)
                                          .order_by(Member.member_id)).first()
    return _save(LoginSession(customer_id=customer.customer_id, member_id=member.member_id,
                              token_hash=secrets.token_hex(32), user_agent="Mozilla/5.0 (X11; Linux) Firefox/127.0",
                              ip_address="198.51.100.7"))
