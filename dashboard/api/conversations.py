"""POST /api/v1/conversations: a finished text chat, stored whole or not at all."""
from __future__ import annotations

from datetime import datetime

from email_validator import EmailNotValidError, validate_email
from flask import jsonify, url_for

from dashboard.agents.models import Agent
from dashboard.api import bp
from dashboard.api.contract import documented
from dashboard.api.idempotency import idempotent
from dashboard.conversations.ingest import IncomingMessage, VisitorDetails, record_chat
from dashboard.crm.schemas import EMAIL_PATTERN
from dashboard.errors import field_problem, refuse_invalid, request_json, schema_problems
from dashboard.ids import MAX_ID
from dashboard.tenancy import get_owned_or_404

MAX_MESSAGES = 500
MAX_CONTENT = 10_000

CHAT = {
    "type": "object",
    "additionalProperties": False,
    "required": ["agent_id", "messages"],
    "properties": {
        "agent_id": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
        "visitor": {"type": "object", "additionalProperties": False, "properties": {
            "name": {"type": ["string", "null"], "maxLength": 255},
            "email": {"type": ["string", "null"], "maxLength": 255, "pattern": f"^$|{EMAIL_PATTERN}",
                      "description": "an email address such as ava@example.net (or empty)"},
            "phone": {"type": ["string", "null"], "maxLength": 32},
        }},
        "messages": {"type": "array", "minItems": 1, "maxItems": MAX_MESSAGES, "items": {
            "type": "object", "additionalProperties": False, "required": ["role", "content", "timestamp"],
            "properties": {
                "role": {"enum": ["visitor", "agent"]},
                "content": {"type": "string", "minLength": 1, "maxLength": MAX_CONTENT},
                "timestamp": {"type": "string", "maxLength": 40},
            },
        }},
        "ended_at": {"type": ["string", "null"], "maxLength": 40},
    },
    "examples": [{"agent_id": 1, "visitor": {"name": "Ava Nguyen", "email": "ava@example.net"},
                  "messages": [{"role": "visitor", "content": "How much is a cleaning?",
                                "timestamp": "2026-05-01T09:30:00Z"},
                               {"role": "agent", "content": "A cleaning is $120.", "timestamp": "2026-05-01T09:30:05Z"}],
                  "ended_at": "2026-05-01T09:31:00Z"}],
}


def _moment(value: str, path: tuple, problems: list) -> datetime | None:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        problems.append(field_problem(path, "must be an ISO 8601 date-time with a timezone, e.g. 2026-05-01T09:30:00Z"))
        return None
    return moment


def _parse(document) -> tuple[int, VisitorDetails, list[IncomingMessage], datetime]:
    """The chat from the body, or a 422 problem naming every field that is wrong (schema, email, every
    timestamp and their order, all at once)."""
    problems = schema_problems(CHAT, document)
    document = document if isinstance(document, dict) else {}
    visitor = document.get("visitor") if isinstance(document.get("visitor"), dict) else {}
    email = visitor.get("email") if isinstance(visitor.get("email"), str) else None
    email = (email or "").strip() or None
    if email:
        try:
            email = validate_email(email, check_deliverability=False).normalized
        except EmailNotValidError as error:
            problems.append(field_problem(("visitor", "email"), str(error)))
    messages, previous = [], None
    items = document.get("messages") if isinstance(document.get("messages"), list) else []
    for i, item in enumerate(items):
        stamp = item.get("timestamp") if isinstance(item, dict) else None
        if not isinstance(stamp, str):
            continue  # the schema's problems name it
        moment = _moment(stamp, ("messages", i, "timestamp"), problems)
        if moment and previous and moment < previous:
            problems.append(field_problem(("messages", i, "timestamp"), "must not be earlier than the message before"))
        previous = moment or previous
        messages.append(IncomingMessage(item.get("role"), item.get("content"), moment))
    ended_at = previous
    if isinstance(document.get("ended_at"), str) and document["ended_at"]:
        ended_at = _moment(document["ended_at"], ("ended_at",), problems)
        if ended_at and previous and ended_at < previous:
            problems.append(field_problem(("ended_at",), "must not be earlier than the last message"))
    refuse_invalid(sorted(problems, key=lambda p: p["path"]))
    details = VisitorDetails(visitor.get("name") or None, email, visitor.get("phone") or None)
    return document["agent_id"], details, messages, ended_at


CHAT_OUT = {
    "type": "object", "required": ["conversation_id", "channel", "text_messages_used", "over_limit", "url"],
    "properties": {"conversation_id": {"type": "integer"}, "channel": {"const": "chat"},
                   "text_messages_used": {"type": "integer"}, "over_limit": {"type": "boolean"},
                   "url": {"type": "string", "description": "The transcript's page"}},
}


@bp.post("/conversations")
@documented("Store a finished text chat", "Conversations", status=201, body=CHAT, response=CHAT_OUT,
            description="Stored whole or not at all, then analysed; a visitor whose email or phone is a lead's "
                        "becomes an interaction of that lead. Timestamps are RFC 3339 with a timezone, in order.")
@idempotent
def create_conversation():
    agent_id, details, messages, ended_at = _parse(request_json())
    agent = get_owned_or_404(Agent, agent_id)
    conversation = record_chat(agent.customer_id, agent.agent_id, details, messages, ended_at)
    return jsonify(
        conversation_id=conversation.session_id, channel="chat", text_messages_used=conversation.text_messages_used,
        over_limit=conversation.over_limit, url=url_for("conversations.transcript_page",
                                                        conversation_id=conversation.session_id, _external=True),
    ), 201
