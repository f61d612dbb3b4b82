"""A live chat kept as it happens: opened by the first message, each message stored when sent, ended by the
visitor or by the idle job, then analysed like every conversation."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select, update

from dashboard.billing.entitlements import usage
from dashboard.conversations.analysis import analyze_conversation
from dashboard.conversations.ingest import VisitorDetails, close_conversation, open_conversation
from dashboard.conversations.models import Conversation, Message
from dashboard.database import utcnow
from dashboard.extensions import db
from dashboard.jobs import defer

COUNTED_ROLES = ("visitor", "agent")  # text_messages_used counts these; tool turns are not messages


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="widget-chat")


def conversation_token(conversation: Conversation) -> str:
    """What the widget keeps (localStorage) to continue this chat after a reload: signed, bound to the agent."""
    return _serializer().dumps([conversation.session_id, conversation.agent_id])


def conversation_for_token(token: str | None, agent_id: int) -> Conversation | None:
    """The agent's still-open chat the token was issued for; None for a forged token, another agent's or an ended chat."""
    if not token or not isinstance(token, str) or len(token) > 200:
        return None
    try:
        session_id, token_agent = _serializer().loads(token)
    except (BadSignature, ValueError, TypeError):
        return None
    if type(session_id) is not int or token_agent != agent_id:
        return None
    conversation = db.session.get(Conversation, session_id)
    if conversation is None or conversation.agent_id != agent_id or conversation.channel != "chat":
        return None
    return conversation


def open_chat(customer_id: int, agent_id: int, details: VisitorDetails) -> Conversation:
    """The first message's conversation: active, channel chat, with the visitor when a name or email was given."""
    return open_conversation(customer_id, agent_id, "chat", details, utcnow())


def text_messages_left(customer_id: int, max_text_messages: int) -> int:
    """How many text messages the period still allows."""
    return max_text_messages - usage(customer_id).text_messages


def flag_over_limit(session_id: int) -> None:
    db.session.execute(update(Conversation).where(Conversation.session_id == session_id).values(over_limit=True))


def record(session_id: int, role: str, content: str, tool_name: str | None = None) -> None:
    """Store one message now (committed), count it, and make sure the idle job will look at the chat."""
    now = utcnow()
    db.session.add(Message(session_id=session_id, role=role, content=content, timestamp=now, tool_name=tool_name))
    if role in COUNTED_ROLES:
        db.session.execute(update(Conversation).where(Conversation.session_id == session_id)
                           .values(text_messages_used=Conversation.text_messages_used + 1))
    # One idle job per chat at a time: it wakes at the earliest deadline and waits again when talk went on.
    defer(end_idle_chat, session_id, run_after=now + idle_after(), dedupe_key=f"chat-idle:{session_id}")
    db.session.commit()


def history(session_id: int, limit: int) -> list[tuple[str, str]]:
    """The chat's visitor and agent messages, oldest first (the last `limit`): what the model is given."""
    rows = db.session.execute(
        select(Message.role, Message.content).where(Message.session_id == session_id,
                                                    Message.role.in_(COUNTED_ROLES))
        .order_by(Message.timestamp.desc(), Message.message_id.desc()).limit(limit)
    ).all()
    return [(role, content) for role, content in reversed(rows)]


def transcript(session_id: int, limit: int = 200) -> list[dict]:
    """What the widget shows after a reload."""
    return [{"role": role, "content": content} for role, content in history(session_id, limit)]


def message_count(session_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Message).where(
        Message.session_id == session_id, Message.role == "visitor")) or 0


def idle_after() -> timedelta:
    return timedelta(minutes=current_app.config.get("CHAT_IDLE_MINUTES") or 15)


def end_chat(session_id: int, ended_at: datetime | None = None) -> bool:
    """End the chat once (a second end changes nothing); its analysis is a job of the same transaction."""
    ended_at = ended_at or utcnow()
    closed = db.session.execute(update(Conversation).where(
        Conversation.session_id == session_id, Conversation.ended_at.is_(None)).values(ended_at=ended_at)).rowcount
    if not closed:
        db.session.rollback()
        return False
    conversation = db.session.get(Conversation, session_id)
    close_conversation(conversation, ended_at, text_messages=conversation.text_messages_used)
    defer(analyze_conversation, session_id)
    db.session.commit()
    return True


def last_activity(session_id: int) -> datetime | None:
    return db.session.scalar(select(func.max(Message.timestamp)).where(Message.session_id == session_id))


def end_idle_chat(session_id: int) -> None:
    """A job: end the chat when nothing was said for CHAT_IDLE_MINUTES, else look again when that would be so."""
    conversation = db.session.get(Conversation, session_id)
    if conversation is None or conversation.ended_at is not None:
        return
    last = last_activity(session_id) or conversation.created_at
    due = last + idle_after()
    if due > utcnow():
        defer(end_idle_chat, session_id, run_after=due)
        db.session.commit()
        return
    end_chat(session_id, ended_at=last)
