"""Ultravox webhooks: the signature check, and call.started / call.ended / call.billed turned into conversations."""
from __future__ import annotations

import hashlib
import hmac
import logging
import re
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from dashboard.agents.models import Agent
from dashboard.conversations import ultravox_gateway
from dashboard.conversations.analysis import analyze_conversation
from dashboard.conversations.ingest import (
    IncomingMessage,
    VisitorDetails,
    add_messages,
    close_conversation,
    flag_over_limit,
    open_conversation,
)
from dashboard.conversations.models import Conversation
from dashboard.database import utcnow
from dashboard.extensions import db
from dashboard.jobs import defer
from dashboard.signals import conversation_measured

MAX_AGE = timedelta(seconds=60)
ROLES = {"MESSAGE_ROLE_USER": "visitor", "MESSAGE_ROLE_AGENT": "agent",
         "MESSAGE_ROLE_TOOL_CALL": "tool_call", "MESSAGE_ROLE_TOOL_RESULT": "tool_result"}
DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)s\s*$")
VISITOR_NAME_MAX = 255
PHONE = re.compile(r"\+?[0-9][0-9 ().-]{2,30}")
CONTROL = re.compile(r"[\x00-\x1f\x7f]")
log = logging.getLogger(__name__)


def signature_is_valid(secret: str, body: bytes, timestamp: str, signatures: str, now: datetime) -> bool:
    """HMAC-SHA256(secret, body + timestamp) in hex matches one of the comma-separated signatures,
    and the timestamp is within a minute of now (so a captured request cannot be replayed later)."""
    try:
        sent_at = datetime.fromisoformat(timestamp.strip().replace("Z", "+00:00"))
    except ValueError:
        return False
    if sent_at.tzinfo is None or abs(now - sent_at) > MAX_AGE:
        return False
    expected = hmac.new(secret.encode(), body + timestamp.encode(), hashlib.sha256).hexdigest()
    return any(hmac.compare_digest(expected, candidate.strip()) for candidate in signatures.split(","))


class IgnoredEvent(Exception):
    """A well-formed event we have nothing to do with (unknown agent, another event type)."""


def handle(event: dict) -> str:
    """Apply one event; returns what happened. Raises UltravoxError when Ultravox must retry."""
    call = event.get("call") if isinstance(event, dict) else None
    if not isinstance(call, dict) or not ultravox_gateway.valid_call_id(str(call.get("callId", ""))):
        raise IgnoredEvent("no call with a valid callId")
    handlers = {"call.started": call_started, "call.ended": call_ended, "call.billed": call_billed}
    if event.get("event") not in handlers:
        raise IgnoredEvent(f"event {event.get('event')!r} is not handled")
    try:
        return handlers[event["event"]](call)
    except IntegrityError:
        db.session.rollback()  # the same call stored by a concurrent delivery
        return "unchanged"


def _existing(call_id: str) -> Conversation | None:
    return db.session.scalars(select(Conversation).where(Conversation.ultravox_call_id == call_id)).first()


def _open(call: dict) -> Conversation:
    metadata = call.get("metadata") or {}
    agent_id = str(metadata.get("agent_id", ""))
    agent = db.session.get(Agent, int(agent_id)) if agent_id.isdigit() else None
    if agent is None:
        raise IgnoredEvent("metadata.agent_id names no agent of ours")
    details = _visitor_details(metadata, call["callId"])
    return open_conversation(agent.customer_id, agent.agent_id, "voice", details,
                             _time(call.get("created")) or utcnow(), ultravox_call_id=call["callId"])


def _valid_name(value: str) -> str | None:
    return value if len(value) <= VISITOR_NAME_MAX and not CONTROL.search(value) else None


def _valid_email(value: str) -> str | None:
    if len(value) > 254 or CONTROL.search(value):
        return None
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError:
        return None


def _valid_phone(value: str) -> str | None:
    return value if PHONE.fullmatch(value) else None


def _visitor_details(metadata: dict, call_id: str) -> VisitorDetails:
    """The visitor's name, email and phone from the call's metadata; a value that is not valid is left out.

    The call happened whatever its metadata says, so a bad value is stored as absent rather than refused,
    and logged by field name only (never the value: it is personal data, and may be hostile).
    """
    fields = {}
    for field, valid in (("name", _valid_name), ("email", _valid_email), ("phone", _valid_phone)):
        raw = metadata.get(f"visitor_{field}")
        value = raw.strip() if isinstance(raw, str) else None
        fields[field] = valid(value) if value else None
        if raw not in (None, "") and fields[field] is None:
            log.warning("Ultravox call %s: metadata.visitor_%s is not valid; stored as absent", call_id, field)
    return VisitorDetails(**fields)


def call_started(call: dict) -> str:
    if _existing(call["callId"]) is not None:
        return "unchanged"
    _open(call)
    db.session.commit()
    return "opened"


def call_ended(call: dict) -> str:
    conversation = _existing(call["callId"])
    if conversation is not None and conversation.ended_at is not None:
        return "unchanged"
    # Everything from Ultravox is fetched before anything is written: a failure leaves no trace.
    messages = ultravox_gateway.fetch_messages(call["callId"])
    duration = call.get("billedDuration") or ultravox_gateway.fetch_call(call["callId"]).get("billedDuration")
    ended = _time(call.get("ended")) or utcnow()
    if conversation is None:
        conversation = _open(call)  # a second delivery racing this one fails on the unique call id
    elif not db.session.execute(
        update(Conversation).where(Conversation.session_id == conversation.session_id,
                                   Conversation.ended_at.is_(None)).values(ended_at=ended)
    ).rowcount:
        db.session.rollback()  # a concurrent delivery closed it first
        return "unchanged"
    started = _time(call.get("joined")) or conversation.created_at
    add_messages(conversation, _messages(messages, started))
    close_conversation(conversation, ended, call_minutes=minutes(duration))
    defer(analyze_conversation, conversation.session_id)  # committed with the closing: a closed call is analysed
    db.session.commit()
    return "closed"


def call_billed(call: dict) -> str:
    conversation = _existing(call["callId"])
    billed = minutes(call.get("billedDuration"))
    if conversation is None or conversation.ended_at is None or billed == conversation.call_minutes_used:
        return "unchanged"
    conversation.call_minutes_used = billed
    flag_over_limit(conversation)
    conversation_measured.send(current_app._get_current_object(), session_id=conversation.session_id)
    db.session.commit()
    return "billed"


def minutes(duration: str | None) -> Decimal:
    """Ultravox durations are strings of seconds such as "95.5s"; stored as minutes to the hundredth."""
    match = DURATION.match(duration or "")
    if not match:
        return Decimal("0")
    return (Decimal(match.group(1)) / 60).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def _messages(raw: list[dict], started: datetime) -> list[IncomingMessage]:
    """Ultravox messages in order, timed from the call's start plus their timespan (never going backwards)."""
    result, at = [], started
    for message in raw:
        role = ROLES.get(message.get("role"))
        if role is None:
            continue
        offset = DURATION.match(str((message.get("timespan") or {}).get("start", "")))
        at = max(at, started + timedelta(seconds=float(offset.group(1)))) if offset else at
        result.append(IncomingMessage(role, str(message.get("text") or ""), at,
                                      message.get("toolName") if role.startswith("tool") else None))
    return result


def _time(value) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else None
