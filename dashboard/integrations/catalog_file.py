"""catalog.yaml: read and checked against its schema, every mistake named by its path (apps/2/oauth/token_url)."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml
from jsonschema import Draft202012Validator

from dashboard.integrations.actions import ACTIONS

_URL = {"type": "string", "pattern": r"^https?://[^\s]+$"}
_NAME = {"type": "string", "minLength": 1, "maxLength": 100}
_TEXT = {"type": "string", "minLength": 1, "maxLength": 500}
_PRICE = {"type": "string", "pattern": r"^\d{1,8}\.\d{2}$"}
_COUNT = {"type": "integer", "minimum": 0}

SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["plans", "prompt_templates", "apps"],
    "properties": {
        "version": {"const": 1},
        "plans": {"type": "array", "items": {
            "type": "object", "additionalProperties": False, "required": ["name", "tier", "prices", "access"],
            "properties": {
                "name": {"type": "string", "pattern": r"^[A-Za-z][A-Za-z0-9 ]{0,80}$"},
                "tier": {"type": "integer", "minimum": 0},
                "prices": {"type": "object", "additionalProperties": False, "minProperties": 1,
                           "properties": {"monthly": _PRICE, "yearly": _PRICE}},
                "access": {"type": "object", "additionalProperties": False, "required": [
                    "max_call_minutes", "max_text_messages", "max_file_uploads", "max_web_sources"],
                    "properties": {
                        "max_call_minutes": _COUNT, "max_text_messages": _COUNT, "max_file_uploads": _COUNT,
                        "max_web_sources": _COUNT, "customize_bot_color": {"type": "boolean"},
                        "customize_bot_avatar": {"type": "boolean"}, "customize_bot_voice": {"type": "boolean"},
                        "customize_bot_name": {"type": "boolean"}, "send_emails": {"type": "boolean"},
                        "call_recordings": {"type": "boolean"}, "connect_apps": {"type": "boolean"}}},
            }}},
        "prompt_templates": {"type": "array", "items": {
            "type": "object", "additionalProperties": False, "required": ["name", "prompts"],
            "properties": {
                "name": _NAME, "description": _TEXT,
                "prompts": {"type": "array", "minItems": 1, "items": {
                    "type": "object", "additionalProperties": False, "required": ["name", "content"],
                    "properties": {"name": _NAME, "description": _TEXT, "default": {"type": "boolean"},
                                   "content": {"type": "string", "minLength": 1, "maxLength": 20000}}}},
            }}},
        "apps": {"type": "array", "items": {
            "type": "object", "additionalProperties": False,
            "required": ["slug", "name", "description", "icon", "coming_soon"],
            "properties": {
                "slug": {"type": "string", "pattern": r"^[a-z0-9]+(-[a-z0-9]+)*$", "maxLength": 60},
                "name": _NAME, "description": _TEXT,
                "icon": {"type": "string", "pattern": r"^[a-z0-9_-]+(/[a-z0-9_.-]+)*\.(svg|png)$"},
                "coming_soon": {"type": "boolean"},
                "prompt": {"type": "object", "additionalProperties": False, "required": ["name", "content"],
                           "properties": {"name": _NAME,
                                          "content": {"type": "string", "minLength": 1, "maxLength": 20000}}},
                "actions": {"type": "array", "uniqueItems": True, "items": {"type": "string"}},
                "oauth": {"type": "object", "additionalProperties": False, "required": [
                    "authorize_url", "token_url", "api_base", "scopes", "token_auth_method"],
                    "properties": {
                        "authorize_url": _URL, "token_url": _URL, "revoke_url": _URL, "userinfo_url": _URL,
                        "api_base": _URL,
                        "scopes": {"type": "array", "minItems": 1, "items": {"type": "string", "minLength": 1}},
                        # What the connection cannot do without (default: every scope asked for); a provider
                        # granting less is refused at connect time.
                        "required_scopes": {"type": "array", "items": {"type": "string", "minLength": 1}},
                        "scope_separator": {"enum": [" ", ","]},
                        "pkce": {"type": "boolean"},
                        "token_auth_method": {"enum": ["client_secret_post", "client_secret_basic"]},
                        "authorize_params": {"type": "object", "additionalProperties": {"type": "string"}},
                        "account": {"type": "object", "additionalProperties": False,
                                    "properties": {"id": _NAME, "email": _NAME, "name": _NAME}}}},
            },
            # An app offered for connection needs its OAuth settings.
            "if": {"properties": {"coming_soon": {"const": False}}},
            "then": {"required": ["oauth", "prompt", "actions"]},
        }},
    },
}


class CatalogError(Exception):
    """The file is not a valid catalog; `problems` lists each mistake as "path: message"."""

    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


def _path(error) -> str:
    return "/".join(str(part) for part in error.absolute_path) or "(top level)"


def _duplicates(items: list, key: str, where: str) -> list[str]:
    seen, problems = set(), []
    for index, item in enumerate(items):
        value = str(item.get(key, "")).lower()
        if value in seen:
            problems.append(f"{where}/{index}/{key}: {item.get(key)!r} appears twice")
        seen.add(value)
    return problems


def _semantic_problems(data: dict, static_folder: Path | None) -> list[str]:
    problems = _duplicates(data["plans"], "name", "plans") + _duplicates(data["apps"], "slug", "apps")
    problems += _duplicates(data["prompt_templates"], "name", "prompt_templates")
    prompts = [(f"prompt_templates/{t}/prompts/{p}", prompt)
               for t, template in enumerate(data["prompt_templates"]) for p, prompt in enumerate(template["prompts"])]
    prompts += [(f"apps/{a}/prompt", app["prompt"]) for a, app in enumerate(data["apps"]) if "prompt" in app]
    names: set[str] = set()
    for where, prompt in prompts:
        if prompt["name"].lower() in names:
            problems.append(f"{where}/name: {prompt['name']!r} appears twice")
        names.add(prompt["name"].lower())
    defaults = [where for where, prompt in prompts if prompt.get("default")]
    if len(defaults) != 1:
        problems.append(f"prompt_templates: exactly one prompt must be `default: true`, found {len(defaults)}")
    for index, plan in enumerate(data["plans"]):
        for cadence, price in plan["prices"].items():
            try:
                Decimal(price)
            except InvalidOperation:  # pragma: no cover - the pattern already refuses it
                problems.append(f"plans/{index}/prices/{cadence}: not an amount")
    for index, app in enumerate(data["apps"]):
        known = ACTIONS.get(app["slug"], {})
        for position, action in enumerate(app.get("actions", [])):
            if action not in known:
                offered = ", ".join(sorted(known)) or "none: this server implements no actions for this app"
                problems.append(f"apps/{index}/actions/{position}: unknown action {action!r} (known: {offered})")
        if static_folder is not None and not (static_folder / app["icon"]).is_file():
            problems.append(f"apps/{index}/icon: no file static/{app['icon']}")
    return problems


def parse_catalog(text: str, static_folder: Path | None = None) -> dict:
    """The catalog in `text` (YAML), or CatalogError listing every problem with its path."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        raise CatalogError([f"{where}not valid YAML ({getattr(error, 'problem', None) or error})"]) from None
    errors = sorted(Draft202012Validator(SCHEMA).iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    if errors:
        raise CatalogError([f"{_path(error)}: {error.message}" for error in errors])
    problems = _semantic_problems(data, static_folder)
    if problems:
        raise CatalogError(problems)
    return data


def load_catalog(path: Path | str, static_folder: Path | None = None) -> dict:
    return parse_catalog(Path(path).read_text(encoding="utf-8"), static_folder)
