"""The widget's logic: saving its settings, signed agent tokens, the config a site's widget reads, and visitor calls."""
from __future__ import annotations

from decimal import Decimal
from urllib.parse import urljoin, urlsplit

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer, URLSafeTimedSerializer

from dashboard import ultravox_client
from dashboard.agents.models import Agent
from dashboard.agents.ultravox_compile import compile_call
from dashboard.agents.ultravox_gateway import create_call
from dashboard.agents.widget.config import (
    DEFAULTS,
    GATED_FIELDS,
    channel_refusal,
    contrast_text,
    locked_changes,
    validate_ui_config,
    with_defaults,
)
from dashboard.auth.models import Customer
from dashboard.billing.entitlements import NotEntitled, entitlements, require, usage
from dashboard.billing.models import PlanAccess
from dashboard.extensions import db

# Ultravox's own cap on a call (its default maxDuration): a call never asks for more.
MAX_CALL_SECONDS = 3600


class CallsUnavailable(Exception):
    """A visitor's call cannot start; `message` is safe to show on the customer's site, `status` is the HTTP status."""

    def __init__(self, message: str, status: int):
        super().__init__(message)
        self.message = message
        self.status = status


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt="widget")


def widget_token(agent: Agent) -> str:
    """The agent's public id for embed snippets: stable, and signed so ids cannot be enumerated or altered.

    itsdangerous signs but does not encrypt: the id can be read back from the token, never changed.
    """
    return _serializer().dumps(agent.agent_id)


def agent_for_widget_token(token: str) -> Agent | None:
    """The agent a token was signed for, or None for a forged or tampered token, or a deleted agent."""
    try:
        agent_id = _serializer().loads(token)
    except BadSignature:
        return None
    return db.session.get(Agent, agent_id) if type(agent_id) is int else None


class ChannelsNotIncluded(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


PREVIEW_MAX_AGE = 4 * 3600


def _preview_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="widget-preview")


def preview_token(agent: Agent) -> str:
    """A token for the builder's preview (valid 4 hours): its chats are real but not stored or counted."""
    return _preview_serializer().dumps(agent.agent_id)


def is_preview_token(token: str | None, agent: Agent) -> bool:
    if not token:
        return False
    try:
        return _preview_serializer().loads(token, max_age=PREVIEW_MAX_AGE) == agent.agent_id
    except BadSignature:
        return False


def update_widget(agent: Agent, proposed: dict, channels: str | None = None) -> dict[str, str]:
    """Save the widget settings; returns gated fields the plan does not unlock (nothing is saved then).

    `channels` (voice, chat or both) must be allowed by the plan, else ChannelsNotIncluded.
    """
    access = require(agent.customer_id)
    if channels is not None and channels != agent.channels:
        refusal = channel_refusal(channels, access)
        if refusal:
            raise ChannelsNotIncluded(refusal)
        agent.channels = channels
    unlocked = {flag for flag in set(GATED_FIELDS.values()) if getattr(access, flag)}
    refused = locked_changes(agent.ui_config, proposed, unlocked)
    if refused:
        return refused
    agent.ui_config = validate_ui_config({**with_defaults(agent.ui_config), **proposed})
    db.session.flush()
    return {}


def effective_widget(agent: Agent, access: PlanAccess | None) -> dict:
    """The builder preview's ui_config (with defaults), less what the current plan does not unlock.

    `access` is the customer's plan access. Saving already refuses locked changes; this covers a customer whose plan was downgraded. A locked
    field shows what a new agent starts with (create_agent): its own name, the default colour, no avatar.
    """
    widget = with_defaults(agent.ui_config)
    uncustomized = {**DEFAULTS, "bot_name": agent.name}
    for field, flag in GATED_FIELDS.items():
        if access is None or not getattr(access, flag):
            widget[field] = uncustomized[field]
    return widget


def _absolute_http_url(url: str | None, base_url: str) -> str | None:
    """Uploaded avatars are stored as paths; a site on another origin needs the whole URL."""
    if not url:
        return None
    absolute = urljoin(base_url, url)
    return absolute if urlsplit(absolute).scheme in ("http", "https") else None


def public_config(agent: Agent, base_url: str) -> dict:
    """What the widget script needs to draw itself; no ids, prompts, tools or keys."""
    access = entitlements(agent.customer_id)
    widget = effective_widget(agent, access)
    return {"botName": widget["bot_name"], "color": widget["color"], "textColor": contrast_text(widget["color"]),
            "avatarUrl": _absolute_http_url(widget["avatar_url"], base_url), "position": widget["position"],
            "greeting": widget["greeting"], "launcherText": widget["launcher_text"],
            # What the panel offers: a chat (the agent chats and the plan has text messages) and/or a call button.
            "chat": agent.offers_chat and channel_refusal("chat", access) is None,
            "voice": agent.offers_voice,
            "voiceCalls": ultravox_client.configured()}


def preview_config(agent: Agent, typed: dict, channels: str, base_url: str) -> dict:
    """The config the builder's preview draws: the settings as typed (locked fields as the plan shows them)."""
    access = entitlements(agent.customer_id)
    widget = {**effective_widget(agent, access), **{k: v for k, v in typed.items() if k not in GATED_FIELDS}}
    for field, flag in GATED_FIELDS.items():
        if field in typed and access is not None and getattr(access, flag):
            widget[field] = typed[field]
    return {"botName": widget["bot_name"], "color": widget["color"], "textColor": contrast_text(widget["color"]),
            "avatarUrl": _absolute_http_url(widget["avatar_url"], base_url), "position": widget["position"],
            "greeting": widget["greeting"], "launcherText": widget["launcher_text"],
            "chat": channels in ("chat", "both"), "voice": channels in ("voice", "both"),
            "voiceCalls": ultravox_client.configured()}


def remaining_call_seconds(customer_id: int) -> int:
    """Seconds of call time left in this period; CallsUnavailable without an active plan or with none left."""
    try:
        access = require(customer_id)
    except NotEntitled:
        raise CallsUnavailable("Voice calls are not available: this business has no active plan.", 402) from None
    used = Decimal(usage(customer_id).call_minutes or 0)
    if used >= access.max_call_minutes:
        raise CallsUnavailable("Voice calls are paused: this business has used all its call minutes for this "
                               "month. Please try again later or contact them another way.", 403)
    return int((access.max_call_minutes - used) * 60)


def start_visitor_call(agent: Agent, visitor_name: str | None = None, visitor_email: str | None = None) -> dict:
    """Start an Ultravox call running the agent for a site visitor; its joinUrl and callId."""
    if not agent.offers_voice:
        raise CallsUnavailable("This assistant takes no voice calls: use the chat instead.", 403)
    if not ultravox_client.configured():
        raise CallsUnavailable("Voice calls are not set up yet (Ultravox is not configured on the server).", 503)
    seconds = min(remaining_call_seconds(agent.customer_id), MAX_CALL_SECONDS)
    customer = db.session.get(Customer, agent.customer_id)
    call = compile_call(agent, customer.name if customer else None)
    # The call may not run past what is left of the plan's minutes.
    call["maxDuration"] = f"{max(seconds, 1)}s"
    if visitor_name:
        call["metadata"]["visitor_name"] = visitor_name
    if visitor_email:
        call["metadata"]["visitor_email"] = visitor_email
    try:
        answer = create_call(call)
    except ultravox_client.UltravoxError as failure:
        current_app.logger.warning("Widget call for agent %s failed: %s", agent.agent_id, failure.message)
        raise CallsUnavailable("The voice service could not start the call. Please try again in a moment.",
                               502) from failure
    return {"joinUrl": answer.get("joinUrl"), "callId": answer.get("callId")}
