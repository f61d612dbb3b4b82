"""Interactions recorded from conversations (listening to the conversations domain's signals).

When a conversation ends and its visitor's email (else phone) is a lead's of the same business, an interaction
is recorded for that lead: type "call" for voice and "message" for chat, the conversation's channel. When the
conversation's analysis is stored, the interaction takes its summary as content, its sentiment band
(negative < -0.2 ≤ neutral ≤ 0.2 < positive), its intent, and an urgency (`urgency()`); the lead's assignment,
if its agent had the conversation, gets fresh performance figures.
"""
from __future__ import annotations

import re

from flask import current_app
from sqlalchemy import func, select

from dashboard.agents.models import Agent
from dashboard.conversations.models import Analysis, Conversation, Message
from dashboard.conversations.sentiment import band
from dashboard.crm.assignment import rescore
from dashboard.crm.models import AgentAssignment, Interaction, Lead
from dashboard.crm.operations import refresh_engagement, save_lead
from dashboard.crm.schemas import EMAIL_PATTERN, PHONE_PATTERN
from dashboard.extensions import db
from dashboard.signals import analysis_stored, conversation_ended, interaction_created

ASKS_FOR_ACTION = {"book_appointment", "reschedule", "pricing_question", "new_customer", "support_issue",
                   "complaint"}
TROUBLE = {"complaint", "support_issue"}


def urgency(intent: str | None, sentiment: float | None) -> str:
    """high: sentiment below -0.5, or a complaint or support issue in the negative band;
    medium: the negative band, or an intent that asks for action (booking, rescheduling, pricing, a new
    customer, support, a complaint); low: anything else."""
    negative = sentiment is not None and band(sentiment) == "negative"
    if (sentiment is not None and sentiment < -0.5) or (intent in TROUBLE and negative):
        return "high"
    if negative or intent in ASKS_FOR_ACTION:
        return "medium"
    return "low"


def lead_for(conversation: Conversation) -> Lead | None:
    visitor = conversation.visitor
    if visitor is None:
        return None
    for column, value in ((Lead.email, (visitor.email or "").lower() or None), (Lead.phone, visitor.phone)):
        if value:
            lead = db.session.scalars(select(Lead).where(Lead.customer_id == conversation.customer_id,
                                                         column == value).order_by(Lead.lead_id)).first()
            if lead is not None:
                return lead
    return None


def new_lead_for(conversation: Conversation) -> Lead | None:
    """A lead made from the conversation's visitor, when its agent says so and the visitor left a valid email or
    phone number (names split at the first space); None otherwise."""
    agent = db.session.get(Agent, conversation.agent_id) if conversation.agent_id else None
    visitor = conversation.visitor
    if agent is None or not agent.creates_leads or visitor is None:
        return None
    email = (visitor.email or "").lower()
    email = email if re.fullmatch(EMAIL_PATTERN, email) else None
    phone = visitor.phone if visitor.phone and re.fullmatch(PHONE_PATTERN, visitor.phone) else None
    if not (email or phone):
        return None
    first, _, last = (visitor.name or "").strip().partition(" ")
    contact = {key: value[:100] for key, value in (("first_name", first), ("last_name", last.strip())) if value}
    contact |= {key: value for key, value in (("email", email), ("phone", phone)) if value}
    return save_lead(Lead(customer_id=conversation.customer_id, preferences={}, engagement={}), {"contact": contact})


def record_from(conversation: Conversation) -> Interaction | None:
    """The conversation's interaction: found, or recorded now when its visitor is (or, by the agent's setting,
    becomes) a lead."""
    found = db.session.scalar(select(Interaction).where(Interaction.session_id == conversation.session_id))
    if found is not None:
        return found
    lead = lead_for(conversation) or new_lead_for(conversation)
    if lead is None:
        return None
    count = db.session.scalar(select(func.count()).where(Message.session_id == conversation.session_id))
    voice = conversation.channel == "voice"
    interaction = Interaction(
        customer_id=conversation.customer_id, lead_id=lead.lead_id, session_id=conversation.session_id,
        type="call" if voice else "message", channel="voice" if voice else "chat",
        content=f"{'Call' if voice else 'Chat'} with {count} message{'s' if count != 1 else ''}",
        created_at=conversation.ended_at or conversation.created_at,
        updated_at=conversation.ended_at or conversation.created_at)
    db.session.add(interaction)
    db.session.flush()
    refresh_engagement(lead.lead_id)
    interaction_created.send(current_app._get_current_object(), interaction_id=interaction.interaction_id)
    return interaction


@conversation_ended.connect
def _conversation_ended(_sender, session_id: int, **_):
    conversation = db.session.get(Conversation, session_id)
    if conversation is not None:
        record_from(conversation)


@analysis_stored.connect
def _analysis_stored(_sender, session_id: int, **_):
    conversation = db.session.get(Conversation, session_id)
    analysis = db.session.scalar(select(Analysis).where(Analysis.session_id == session_id))
    if conversation is None or analysis is None:
        return
    interaction = record_from(conversation)
    if interaction is None:
        return
    if analysis.call_summary:
        interaction.content = analysis.call_summary[:10_000]
    interaction.sentiment = band(analysis.sentiment)
    interaction.intent = (analysis.intent or None) and analysis.intent[:64]
    interaction.urgency = urgency(analysis.intent, analysis.sentiment)
    db.session.flush()
    assignment = db.session.scalar(select(AgentAssignment).where(AgentAssignment.lead_id == interaction.lead_id))
    if assignment is not None and assignment.agent_id == conversation.agent_id:
        rescore(assignment)
