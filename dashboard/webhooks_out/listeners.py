"""What the lower domains announce, turned into events for the business's endpoints (in the announcing transaction)."""
from __future__ import annotations

from sqlalchemy import select

from dashboard.billing.models import Contract
from dashboard.conversations.models import Analysis, Conversation
from dashboard.crm.models import Lead
from dashboard.crm.operations import lead_json
from dashboard.emails.models import EmailLog
from dashboard.extensions import db
from dashboard.signals import (
    analysis_stored,
    contract_updated,
    conversation_ended,
    conversation_started,
    email_sent,
    lead_saved,
    rotate_encrypted_secrets,
)
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


@conversation_started.connect
def _conversation_started(_sender, session_id: int, **_):
    conversation = db.session.get(Conversation, session_id)
    if conversation is not None:
        record_event(conversation.customer_id, "conversation.started", conversation_object(conversation))


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


@email_sent.connect
def _email_sent(_sender, email_log_id: int, status: str, **_):
    entry = db.session.get(EmailLog, email_log_id)
    if entry is None:
        return
    record_event(entry.customer_id, f"email.{status}", {
        "id": entry.email_log_id, "object": "email", "conversation_id": entry.session_id, "agent_id": entry.agent_id,
        "recipient_email": entry.recipient_email, "subject": entry.subject, "status": entry.status,
        "error": entry.error, "attempts": entry.attempts, "sent_at": _time(entry.sent_at)})


@lead_saved.connect
def _lead_saved(_sender, lead_id: int, created: bool, **_):
    lead = db.session.get(Lead, lead_id)
    if lead is not None:
        record_event(lead.customer_id, "lead.created" if created else "lead.updated", lead_json(lead))


@contract_updated.connect
def _contract_updated(_sender, contract_id: int, **_):
    contract = db.session.get(Contract, contract_id)
    if contract is None:
        return
    record_event(contract.customer_id, "contract.updated", {
        "id": contract.contract_id, "object": "contract", "plan_id": contract.plan_id, "status": contract.status,
        "refreshed_date": _time(contract.refreshed_date), "expiry_date": _time(contract.expiry_date),
        "cancel_at_period_end": contract.cancel_at_period_end, "ended_at": _time(contract.ended_at)})


@rotate_encrypted_secrets.connect
def rotate_signing_secrets(sender, **_) -> int:
    """`flask integrations rotate-key`: every endpoint's secrets re-encrypted under the first key."""
    from dashboard.encryption import rotate
    from dashboard.webhooks_out.models import WebhookEndpoint

    rewritten = 0
    for endpoint in db.session.scalars(select(WebhookEndpoint)):
        endpoint.secret_encrypted = rotate(endpoint.secret_encrypted)
        rewritten += 1
        if endpoint.previous_secret_encrypted:
            endpoint.previous_secret_encrypted = rotate(endpoint.previous_secret_encrypted)
            rewritten += 1
    return rewritten
