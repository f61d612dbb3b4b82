"""Call minutes and text messages used, measured for billing's plan limits (the `measure_usage` signal)."""
from __future__ import annotations

from sqlalchemy import func, select

from dashboard.conversations.models import Conversation
from dashboard.extensions import db
from dashboard.signals import measure_usage


@measure_usage.connect
def conversation_usage(sender, customer_id: int, since=None, **_) -> dict:
    """Minutes and messages summed over the customer's conversations since the period began, in one query."""
    in_period = [Conversation.customer_id == customer_id]
    if since is not None:
        in_period.append(Conversation.created_at >= since)
    minutes, texts = db.session.execute(
        select(func.coalesce(func.sum(Conversation.call_minutes_used), 0),
               func.coalesce(func.sum(Conversation.text_messages_used), 0)).where(*in_period)
    ).one()
    return {"max_call_minutes": minutes, "max_text_messages": int(texts)}
