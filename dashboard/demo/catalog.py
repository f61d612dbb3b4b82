"""The shared catalog: plans with their access, the prompt library and third-party apps."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from dashboard.agents.models import Prompt, PromptTemplate
from dashboard.billing.models import Plan, PlanAccess
from dashboard.extensions import db
from dashboard.integrations.models import ThirdPartyApp

TIERS = [
    # name, monthly, yearly, access
    ("Starter", "49.00", "490.00", dict(
        max_call_minutes=100, max_text_messages=1000, customize_bot_color=True, customize_bot_avatar=False,
        customize_bot_voice=False, customize_bot_name=False, send_emails=False, max_file_uploads=2,
        max_web_sources=1, call_recordings=False)),
    ("Growth", "149.00", "1490.00", dict(
        max_call_minutes=1000, max_text_messages=10000, customize_bot_color=True, customize_bot_avatar=True,
        customize_bot_voice=True, customize_bot_name=True, send_emails=True, max_file_uploads=10,
        max_web_sources=5, call_recordings=False)),
    ("Scale", "399.00", "3990.00", dict(
        max_call_minutes=5000, max_text_messages=50000, customize_bot_color=True, customize_bot_avatar=True,
        customize_bot_voice=True, customize_bot_name=True, send_emails=True, max_file_uploads=50,
        max_web_sources=25, call_recordings=True)),
]

PROMPTS = {
    ("General", "Prompts that suit any business."): [
        ("General assistant", "A friendly assistant that answers questions about the business.",
         "You are a friendly, concise assistant for {business}. Answer questions about the business, "
         "ask one question at a time, and offer to connect the visitor with a person when you cannot help."),
    ],
    ("Customer support", "Resolve problems and answer questions about existing orders or services."): [
        ("Support triage", "Understands the problem, gathers details, resolves or escalates.",
         "You are a patient support agent. Identify the visitor's problem, gather the details needed "
         "(account, order, dates), solve what you can, and otherwise open a ticket and say what happens next."),
        ("Billing questions", "Explains invoices, payments and refunds.",
         "You explain invoices, payments and refunds clearly. Never ask for full card numbers."),
    ],
    ("Sales", "Qualify interest and move visitors towards a purchase."): [
        ("Lead qualification", "Asks about needs, budget and timing, then books a call.",
         "You qualify leads: learn what the visitor needs, their budget and timing, then offer a call with sales."),
        ("Product expert", "Recommends the right product from the catalog.",
         "You know the catalog well. Recommend the product that fits the visitor's needs and explain why."),
    ],
    ("Appointment booking", "Find a time that works and book it."): [
        ("Receptionist", "Books, moves and cancels appointments.",
         "You are the receptionist. Book, reschedule or cancel appointments using the availability tool, "
         "confirm the date and time back to the visitor, and collect their name and phone number."),
    ],
}

APPS = [
    ("Google Calendar", "google-calendar", "Check availability and book events on your calendars.", False),
    ("HubSpot", "hubspot", "Create contacts and deals from conversations.", False),
    ("Salesforce", "salesforce", "Log leads and cases in Salesforce.", False),
    ("Slack", "slack", "Notify a channel when a conversation needs a person.", False),
    ("Zendesk", "zendesk", "Open tickets from support conversations.", False),
    ("Calendly", "calendly", "Share booking links and read scheduled events.", False),
    ("Shopify", "shopify", "Look up orders and products in your store.", True),
    ("Mailchimp", "mailchimp", "Add visitors to your audience.", True),
]


def _get_or_create(model, lookup: dict, **values):
    found = db.session.scalars(select(model).filter_by(**lookup)).first()
    if found is None:
        found = model(**lookup, **values)
        db.session.add(found)
        db.session.flush()
    return found


def seed_catalog() -> None:
    for tier, (name, monthly, yearly, access_fields) in enumerate(TIERS, start=1):
        existing = db.session.scalars(select(Plan).where(Plan.name == f"{name} Monthly")).first()
        access = existing.access if existing else PlanAccess(**access_fields)
        db.session.add(access)
        db.session.flush()
        for cadence, cost in (("monthly", monthly), ("yearly", yearly)):
            _get_or_create(
                Plan, {"name": f"{name} {cadence.title()}"},
                description=f"{name}: {access_fields['max_call_minutes']:,} call minutes and "
                            f"{access_fields['max_text_messages']:,} text messages a month"
                            + (", billed yearly." if cadence == "yearly" else "."),
                cadence=cadence, cost_usd=Decimal(cost), plan_access_id=access.plan_access_id, tier=tier,
                lookup_key=f"{name.lower()}_{cadence}",
            )
    for (template_name, template_description), prompts in PROMPTS.items():
        template = _get_or_create(PromptTemplate, {"name": template_name}, description=template_description)
        for name, description, content in prompts:
            _get_or_create(Prompt, {"name": name}, description=description, content=content,
                           prompt_template_id=template.id)
    general = db.session.scalars(select(Prompt).where(Prompt.name == "General assistant")).one()
    general.is_default = True  # what a new agent starts with
    for name, slug, description, coming_soon in APPS:
        _get_or_create(ThirdPartyApp, {"slug": slug}, name=name, description=description,
                       icon=f"/static/img/apps/{slug}.svg", prompt_id=general.prompt_id,
                       is_coming_soon=coming_soon)

