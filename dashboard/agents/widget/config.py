"""The widget's `ui_config`: its JSON schema, validation, and which fields each plan flag unlocks."""
from __future__ import annotations

from jsonschema import Draft202012Validator

POSITIONS = ("bottom-right", "bottom-left")
# An agent's channels (agent.channels): what its widget offers visitors.
CHANNELS = {"voice": "Call (voice)", "chat": "Chat (text)", "both": "Chat and call"}
# The plan limit that must be above zero for each channel: a plan without text messages has no chat.
CHANNEL_LIMITS = {"chat": "max_text_messages", "voice": "max_call_minutes"}
DEFAULTS = {"bot_name": "Assistant", "color": "#4b3fd6", "position": "bottom-right",
            "greeting": "Hi! How can I help?", "launcher_text": "Chat with us", "avatar_url": None}

UI_CONFIG_SCHEMA = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "bot_name": {"type": "string", "maxLength": 60},
        "color": {"type": "string", "pattern": "^#[0-9a-fA-F]{6}$"},
        "position": {"enum": list(POSITIONS)},
        "greeting": {"type": "string", "maxLength": 200},
        "launcher_text": {"type": "string", "maxLength": 40},
        "avatar_url": {"type": ["string", "null"], "maxLength": 500},
    },
}
_validator = Draft202012Validator(UI_CONFIG_SCHEMA)

# The plan flag that must be on to change each field; fields absent here are on every plan.
GATED_FIELDS = {"bot_name": "customize_bot_name", "color": "customize_bot_color",
                "avatar_url": "customize_bot_avatar"}


class InvalidUiConfig(Exception):
    """`errors` maps each ui_config key (or "_" for the whole) to its messages."""

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(str(errors))
        self.errors = errors


def validate_ui_config(config: dict) -> dict:
    """`config` when it matches the schema; unknown keys and bad values raise InvalidUiConfig."""
    errors: dict[str, list[str]] = {}
    for error in _validator.iter_errors(config):
        if error.validator == "additionalProperties":
            unknown = sorted(set(config) - set(UI_CONFIG_SCHEMA["properties"]))
            errors.setdefault("_", []).append(f"Unknown widget settings: {', '.join(unknown)}.")
        else:
            key = error.path[0] if error.path else "_"
            errors.setdefault(key, []).append(error.message)
    if errors:
        raise InvalidUiConfig(errors)
    return config


def with_defaults(config: dict | None) -> dict:
    """The stored ui_config with a default for every missing key (older agents lack some)."""
    return {**DEFAULTS, **{k: v for k, v in (config or {}).items() if k in DEFAULTS}}


def locked_changes(current: dict, proposed: dict, unlocked: set[str]) -> dict[str, str]:
    """Gated fields the proposal would change although the plan does not unlock them: field -> flag."""
    current = with_defaults(current)
    return {key: flag for key, flag in GATED_FIELDS.items()
            if flag not in unlocked and key in proposed and proposed[key] != current.get(key)}


def channel_refusal(channels: str, access) -> str | None:
    """Why the plan (`access`, a PlanAccess or None) does not allow these channels, or None when it does."""
    wanted = {"voice", "chat"} if channels == "both" else {channels}
    for channel in sorted(wanted):
        if access is None or not getattr(access, CHANNEL_LIMITS[channel]):
            name = "text messages" if channel == "chat" else "call minutes"
            return f"Your plan includes no {name}, so visitors cannot {channel} with this agent. Upgrade on the Billing page."
    return None


def contrast_text(color: str) -> str:
    """Black or white, whichever reads better on `color` (the launcher's text)."""
    try:
        r, g, b = (int(color[i:i + 2], 16) for i in (1, 3, 5))
    except (TypeError, ValueError):
        return "#ffffff"
    return "#111111" if (0.299 * r + 0.587 * g + 0.114 * b) > 160 else "#ffffff"
