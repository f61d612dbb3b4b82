"""Everything the transcript page shows about one conversation, read in a fixed number of queries."""
from __future__ import annotations

import json
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from dashboard.agents.models import Agent
from dashboard.billing.entitlements import NotEntitled, require
from dashboard.conversations import ultravox_gateway
from dashboard.conversations.models import Analysis, Conversation, Message, Visitor
from dashboard.extensions import db
from dashboard.signals import collect, transcript_panels

OTHER_CONVERSATIONS = 10


@dataclass
class Transcript:
    conversation: Conversation
    visitor: Visitor | None
    agent_name: str | None
    messages: list[Message]
    analysis: Analysis | None
    other_conversations: list[Conversation]
    recording_lock: str | None  # why the recording is not offered, or None when it is
    panels: list[tuple[str, dict]]  # (template, context) that higher domains add (the emails sent, ...)


def pretty(content: str) -> str:
    """Tool arguments and results as indented JSON when they are JSON, else as they came."""
    try:
        return json.dumps(json.loads(content), indent=2, ensure_ascii=False)
    except ValueError:
        return content


def recording_lock(conversation: Conversation) -> str | None:
    """None when the recording can be played; otherwise the reason for people."""
    if conversation.channel != "voice" or not conversation.ultravox_call_id:
        return "Only voice calls through Ultravox have a recording."
    try:
        require(conversation.customer_id, "call_recordings")
    except NotEntitled as refused:
        return refused.message
    if not ultravox_gateway.configured():
        return "Recordings come from Ultravox, which is not configured here (set ULTRAVOX_API_KEY)."
    return None


def load(conversation: Conversation) -> Transcript:
    session_id = conversation.session_id
    messages = db.session.scalars(
        select(Message).where(Message.session_id == session_id).order_by(Message.timestamp, Message.message_id)
    ).all()
    visitor = db.session.get(Visitor, conversation.visitor_id) if conversation.visitor_id else None
    agent_name = db.session.scalar(select(Agent.name).where(Agent.agent_id == conversation.agent_id))
    analysis = db.session.scalars(select(Analysis).where(Analysis.session_id == session_id)).first()
    others = db.session.scalars(
        select(Conversation).where(Conversation.visitor_id == conversation.visitor_id,
                                   Conversation.customer_id == conversation.customer_id,
                                   Conversation.session_id != session_id)
        .order_by(Conversation.created_at.desc()).limit(OTHER_CONVERSATIONS)
    ).all() if conversation.visitor_id else []
    panels = collect(transcript_panels, current_app._get_current_object(), conversation=conversation)
    return Transcript(conversation, visitor, agent_name, messages, analysis, others, recording_lock(conversation),
                      panels)
