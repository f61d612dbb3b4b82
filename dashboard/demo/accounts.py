"""The demo customers: accounts, contracts, agents with tools and widgets, email templates."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from dashboard.agents.models import Agent, CustomTool, Prompt
from dashboard.auth.models import Customer
from dashboard.auth.operations import create_customer, find_customer_by_email
from dashboard.billing.models import Contract, Plan
from dashboard.database import utcnow
from dashboard.emails.models import EmailTemplate
from dashboard.extensions import db


@dataclass(frozen=True)
class DemoAccount:
    name: str
    email: str
    phone: str
    plan: str
    agents: tuple[tuple[str, str, str, str], ...]  # name, description, prompt, colour
    conversations: int


DEMO = DemoAccount(
    "Sunrise Dental", "demo@example.com", "+14155550123", "Growth Monthly",
    (("Front Desk", "Answers the phone, books and moves appointments.", "Receptionist", "#4b3fd6"),
     ("Web Chat Concierge", "Chats with website visitors about treatments and prices.", "Product expert", "#0f8b8d"),
     ("After-hours Line", "Takes messages and triages urgent problems at night.", "Support triage", "#c2410c")),
    conversations=1500,
)
OTHER = DemoAccount(
    "Harbor Plumbing", "other@example.com", "+12065550188", "Starter Monthly",
    (("Dispatch", "Books plumbers for emergencies and routine jobs.", "Receptionist", "#1d4ed8"),),
    conversations=200,
)

TOOLS = (
    ("check_availability", "Lists free appointment slots on a day.", "GET",
     "https://api.example.com/v1/availability",
     [{"name": "clinic", "location": "query", "value": "main"}],
     [{"name": "date", "location": "query", "schema": {"type": "string", "format": "date"}, "required": True}]),
    ("book_appointment", "Books an appointment for a visitor.", "POST",
     "https://api.example.com/v1/appointments",
     [{"name": "source", "location": "body", "value": "angelcx"}],
     [{"name": "name", "location": "body", "schema": {"type": "string"}, "required": True},
      {"name": "phone", "location": "body", "schema": {"type": "string"}, "required": True},
      {"name": "start", "location": "body", "schema": {"type": "string", "format": "date-time"}, "required": True}]),
    ("lookup_order", "Finds an order by its number.", "GET", "https://api.example.com/v1/orders/{order_id}",
     [], [{"name": "order_id", "location": "path", "schema": {"type": "string", "pattern": "^[0-9]{4,10}$"}, "required": True}]),
)


def ensure_account(account: DemoAccount, password: str) -> tuple[Customer, bool]:
    """The account's customer, created with everything it owns when missing; and whether it was created."""
    customer = find_customer_by_email(account.email)
    if customer is not None:
        return customer, False
    customer = create_customer(account.name, account.email, password, phone=account.phone, cognito_id=None)
    plan = db.session.scalars(select(Plan).where(Plan.name == account.plan)).one()
    now = utcnow()
    db.session.add(Contract(customer_id=customer.customer_id, plan_id=plan.plan_id,
                            plan_access_id=plan.plan_access_id, refreshed_date=now - timedelta(days=12),
                            expiry_date=now + timedelta(days=18), status="active"))
    for index, (name, description, prompt_name, colour) in enumerate(account.agents):
        prompt = db.session.scalars(select(Prompt).where(Prompt.name == prompt_name)).one()
        agent = Agent(
            customer_id=customer.customer_id, name=name, description=description, prompt_id=prompt.prompt_id,
            brand_info=f"{account.name}: friendly, professional, local.", temperature=0.4,
            voice="Mark" if index % 2 else "Jessica",
            # The first agent chats too, so a newcomer with CHAT_LLM_URL set can chat in its widget at once.
            channels="voice" if index else "both",
            ui_config={"bot_name": name, "color": colour, "position": "bottom-right",
                       "greeting": f"Hi! I'm the {account.name} assistant. How can I help?",
                       "launcher_text": "Chat with us", "avatar_url": None},
        )
        db.session.add(agent)
        db.session.flush()
        for tool in TOOLS[: 3 - index % 2]:
            name_, description_, method, url, static, dynamic = tool
            db.session.add(CustomTool(agent_id=agent.agent_id, name=name_, description=description_,
                                      http_method=method, url=url, static_params=static, dynamic_params=dynamic))
        db.session.add(EmailTemplate(
            customer_id=customer.customer_id, agent_id=agent.agent_id, sender_email=f"hello@{_domain(account)}",
            email_subject=f"Thanks for talking to {account.name}, {{{{visitor_name}}}}",
            email_body="Hi {{visitor_name}},\n\nThanks for getting in touch. Here is a summary of our conversation:\n\n"
                       "{{call_summary}}\n\nReply to this email if there is anything else we can do.\n\n"
                       f"The {account.name} team",
        ))
    db.session.add(EmailTemplate(
        customer_id=customer.customer_id, agent_id=None, sender_email=f"bookings@{_domain(account)}",
        email_subject="Your appointment is confirmed", is_active=False,
        email_body="Hi {{visitor_name}},\n\nYour appointment is confirmed. See you soon!",
    ))
    db.session.flush()
    return customer, True


def _domain(account: DemoAccount) -> str:
    return account.name.lower().replace(" ", "") + ".example"
