"""What the lower domains announce, turned into events for the business's endpoints (in the announcing transaction)."""
from __future__ import annotations

from sqlalchemy import select

from dashboard.conversations.models import Analysis, Conversation
from dashboard.extensions import db
from dashboard.signals import analysis_stored, conversation_ended
from dashboard.webhooks_out.operations import record_event


def _time(value) -> str | None:
    return value.isoformat() if value else None


def conversation_object(conversation: Conversation) -> dict:
    """The conversation as the webhook carries it: ids, channel, times and usage; no visitor details."""
    return {"id": conversation.session_id, "object": "conversation", "agent_id": conversation.agent_id,
            "channel": conversation.channel, "status": "active" if conversation.is_active else "ended",
            "created_at": _time(conversation.created_at), "ended_at": _time(conversation.ended_at),
            "call_minutes_used": str(conversation.call_minutes_used),
            "text_messages_used": conversation.text_messages_used}


@conversation_ended.connect
def _conversation_ended(_sender, session_id: int, **_):
    conversation = db.session.get(Conversation, session_id)
    if conversation is not None:
        record_event(conversation.customer_id, "conversation.ended", conversation_object(conversation))


@analysis_stored.connect
def _conversation_analyzed(_sender, session_id: int, **_):
    conversation = db.session.get(Conversation, session_id)
    # Queried, not read from the relationship: the analysis was only added to this transaction.
    analysis = db.session.scalar(select(Analysis).where(Analysis.session_id == session_id))
    if conversation is None or analysis is None:
        return
    obj = conversation_object(conversation)
    obj["analysis"] = {"call_summary": analysis.call_summary, "intent": analysis.intent,
                       "sentiment": analysis.sentiment, "category": analysis.category, "action": analysis.action}
    record_event(conversation.customer_id, "conversation.analyzed", obj)
