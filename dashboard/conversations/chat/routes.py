"""The widget's chat endpoints (public, any origin, no cookies): send a message and read the reply as it streams
(Server-Sent Events over a POST), read a chat back after a reload, and end it."""
from __future__ import annotations

import json

from flask import Blueprint, Response, abort, current_app, jsonify, request, stream_with_context

from dashboard.access import public
from dashboard.agents.models import Agent
from dashboard.agents.widget.operations import agent_for_widget_token, is_preview_token
from dashboard.agents.widget.public import allow_any_origin
from dashboard.auth.models import Customer
from dashboard.billing.entitlements import entitlements
from dashboard.conversations.chat import llm_stream, runtime, store
from dashboard.conversations.ingest import VisitorDetails
from dashboard.errors import problem, validated_json
from dashboard.extensions import csrf, db, limiter, url_token, url_token_and_address
from dashboard.jobs import dispatch_pending

chat_bp = Blueprint("widget_chat", __name__, url_prefix="/widget")
csrf.exempt(chat_bp)
chat_bp.after_request(allow_any_origin)

# Abuse limits (app settings of the same name override them; the README lists them).
CHAT_RATE_LIMIT = "30 per minute"          # per widget token and address
CHAT_VISITOR_RATE_LIMIT = "10 per minute"  # per conversation: one visitor typing fast is still well inside
CHAT_PER_WIDGET_LIMIT = "2000 per hour"   # per widget, every address together: a ceiling on the model's bill
MESSAGE_MAX_CHARS = 2000
CONVERSATION_MAX_MESSAGES = 100            # visitor messages in one chat
HISTORY_ITEMS = 40

MESSAGE_SCHEMA = {
    "type": "object", "additionalProperties": False, "required": ["message"],
    "properties": {
        "message": {"type": "string", "minLength": 1, "maxLength": MESSAGE_MAX_CHARS},
        "conversation": {"type": ["string", "null"], "maxLength": 200},
        "name": {"type": "string", "maxLength": 100, "pattern": "^[^\\x00-\\x1f\\x7f]*$"},
        "email": {"type": "string", "maxLength": 254, "format": "email"},
        # The builder's preview: a signed preview token, and the chat so far kept by the widget (nothing stored).
        "preview": {"type": "string", "maxLength": 300},
        "history": {"type": "array", "maxItems": HISTORY_ITEMS, "items": {
            "type": "object", "additionalProperties": False, "required": ["role", "content"],
            "properties": {"role": {"enum": ["visitor", "agent"]},
                           "content": {"type": "string", "maxLength": 8000}}}},
    },
}
END_SCHEMA = {"type": "object", "additionalProperties": False, "required": ["conversation"],
              "properties": {"conversation": {"type": "string", "maxLength": 200}}}
ENDED = "This conversation has ended. Send a message to start a new one."


def _limit(setting: str, default: str):
    return lambda: current_app.config.get(setting, default)


def _conversation_in_body() -> str | None:
    body = request.get_json(silent=True)
    conversation = body.get("conversation") if isinstance(body, dict) else None
    return conversation if isinstance(conversation, str) and conversation else None


def _visitor_key() -> str:
    """Rate-limit key: the visitor's conversation (a first message has none: the address limit covers it)."""
    return f"chat:{_conversation_in_body()}"


def _agent_or_404(token: str) -> Agent:
    agent = agent_for_widget_token(token)
    if agent is None:
        abort(404, "This widget's agent was not found. Check the data-agent value of the snippet.")
    return agent


def _event(name: str, data: dict) -> str:
    return f"event: {name}\ndata: {json.dumps(data)}\n\n"


def _stream(events) -> Response:
    response = Response(stream_with_context(events), mimetype="text/event-stream")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Accel-Buffering"] = "no"  # proxies (nginx) pass each event on at once
    return response


@chat_bp.post("/<token>/chat")
@public
# Checked last (Flask-Limiter stops at the first refusal, nearest the view first), so an address or a visitor
# refused for its own messages does not spend the widget's ceiling: one address cannot silence a site.
@limiter.limit(_limit("CHAT_PER_WIDGET_LIMIT", CHAT_PER_WIDGET_LIMIT), key_func=url_token, methods=["POST"],
               error_message="This business's assistant is answering too many messages right now. "
                             "Please try again later.")
@limiter.limit(_limit("CHAT_RATE_LIMIT", CHAT_RATE_LIMIT), key_func=url_token_and_address, methods=["POST"],
               error_message="Too many messages from your address. Please wait a minute and try again.")
@limiter.limit(_limit("CHAT_VISITOR_RATE_LIMIT", CHAT_VISITOR_RATE_LIMIT), key_func=_visitor_key, methods=["POST"],
               exempt_when=lambda: _conversation_in_body() is None,
               error_message="You are sending messages very fast. Please wait a moment and try again.")
def send_message(token: str):
    agent = _agent_or_404(token)
    body = validated_json(MESSAGE_SCHEMA)
    text = body["message"].strip()
    if not text:
        return problem(422, "Type a message first.")
    if not llm_stream.configured():
        return problem(503, "Chat is not set up yet (no chat model is configured on the server).")
    business = db.session.get(Customer, agent.customer_id)
    if is_preview_token(body.get("preview"), agent):
        history = [(item["role"], item["content"]) for item in body.get("history") or []]
        prepared = runtime.prepare(agent, business.name if business else None, history)
        db.session.commit()  # nothing is written: the preview is not stored; no transaction stays open
        return _stream(_preview_reply(prepared, text))
    if body.get("preview") or body.get("history"):
        return problem(403, "This preview has expired. Reload the builder page.")
    if not agent.offers_chat:
        return problem(403, "This assistant does not chat. Use the voice call instead.")
    access = entitlements(agent.customer_id)
    if access is None or not access.max_text_messages:
        return problem(402, "Chat is not available: this business has no plan that includes chat.")
    conversation = None
    if body.get("conversation"):
        conversation = store.conversation_for_token(body["conversation"], agent.agent_id)
        if conversation is None or conversation.ended_at is not None:
            return problem(410, ENDED)
        if store.message_count(conversation.session_id) >= current_app.config.get(
                "CHAT_CONVERSATION_MAX_MESSAGES", CONVERSATION_MAX_MESSAGES):
            store.end_chat(conversation.session_id)
            return problem(422, "This conversation is as long as a chat may be, so it has ended. "
                                "Send your message again to start a new one.")
    past_limit = store.text_messages_left(agent.customer_id, access.max_text_messages) <= 0
    if conversation is None:
        conversation = store.open_chat(agent.customer_id, agent.agent_id,
                                       VisitorDetails(name=(body.get("name") or "").strip() or None,
                                                      email=(body.get("email") or "").strip() or None))
    session_id, chat_token = conversation.session_id, store.conversation_token(conversation)
    history = store.history(session_id, runtime.HISTORY_MESSAGES)
    if past_limit:
        # The visitor's words are kept (and the chat flagged), but the model is not asked.
        store.flag_over_limit(session_id)
        store.record(session_id, "visitor", text)
        return _stream(_refusal(chat_token))
    store.record(session_id, "visitor", text)  # committed: no transaction is open while the model answers
    prepared = runtime.prepare(agent, business.name if business else None, history)
    db.session.commit()
    return _stream(_stored_reply(prepared, text, session_id, chat_token))


def _refusal(chat_token: str):
    yield _event("conversation", {"token": chat_token})
    yield _event("notice", {"message": "Sorry, our assistant can't chat right now. Please try again later or "
                                       "contact the business another way."})


def _stored_reply(prepared: runtime.Prepared, text: str, session_id: int, chat_token: str):
    shown = []  # what the visitor has been sent of the reply
    stored = False
    try:
        yield _event("conversation", {"token": chat_token})
        for event in runtime.reply(prepared, text, on_tool=lambda kind, name, content: store.record(
                session_id, kind, content, tool_name=name[:64])):
            if isinstance(event, runtime.Delta):
                shown.append(event.text)
                yield _event("delta", {"text": event.text})
            elif isinstance(event, runtime.ToolUse):
                yield _event("tool", {"name": event.name})
            elif isinstance(event, runtime.Finished):
                if event.text:
                    store.record(session_id, "agent", event.text)
                stored = True
                yield _event("done", {"text": event.text})
            else:
                if event.partial:
                    store.record(session_id, "agent", event.partial)
                stored = True
                yield _event("error", {"message": event.message})
    except GeneratorExit:
        # The visitor left mid-reply (closed the tab): keep what they were shown, then stop asking the model.
        if shown and not stored:
            store.record(session_id, "agent", "".join(shown))
        raise
    finally:
        dispatch_pending()  # the idle job this reply recorded (after_request ran before the stream began)


def _preview_reply(prepared: runtime.Prepared, text: str):
    for event in runtime.reply(prepared, text):
        if isinstance(event, runtime.Delta):
            yield _event("delta", {"text": event.text})
        elif isinstance(event, runtime.ToolUse):
            yield _event("tool", {"name": event.name})
        elif isinstance(event, runtime.Finished):
            yield _event("done", {"text": event.text})
        else:
            yield _event("error", {"message": event.message})


@chat_bp.get("/<token>/chat")
@public
@limiter.limit(_limit("CHAT_RATE_LIMIT", CHAT_RATE_LIMIT), key_func=url_token_and_address)
def read_chat(token: str):
    """The chat so far, for a widget reloaded mid-conversation (410 once it has ended)."""
    agent = _agent_or_404(token)
    conversation = store.conversation_for_token(request.args.get("conversation"), agent.agent_id)
    if conversation is None or conversation.ended_at is not None:
        return problem(410, ENDED)
    response = jsonify({"messages": store.transcript(conversation.session_id), "active": True})
    response.headers["Cache-Control"] = "no-store"
    return response


@chat_bp.post("/<token>/chat/end")
@public
@limiter.limit(_limit("CHAT_RATE_LIMIT", CHAT_RATE_LIMIT), key_func=url_token_and_address, methods=["POST"])
def end_chat(token: str):
    """The visitor closed the chat: it ends now and is analysed."""
    agent = _agent_or_404(token)
    body = validated_json(END_SCHEMA)
    conversation = store.conversation_for_token(body["conversation"], agent.agent_id)
    if conversation is None:
        return problem(404, "This conversation was not found.")
    store.end_chat(conversation.session_id)
    return "", 204
