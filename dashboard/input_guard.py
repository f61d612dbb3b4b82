"""The one guard for hostile input at the boundary: JSON bodies, form fields and query arguments, checked once."""
from __future__ import annotations

import json
import math
import re
from typing import Any

from flask import Flask, request
from flask.json.provider import DefaultJSONProvider
from werkzeug.exceptions import BadRequest

from dashboard.errors import JSON_PATH_PREFIXES, json_pointer

MAX_DEPTH = 64
MAX_INTEGER = 2**63 - 1  # what a BIGINT column (and most JSON parsers) can hold
# NUL ends C strings (PostgreSQL refuses it in text); a lone UTF-16 surrogate cannot be encoded as UTF-8.
FORBIDDEN_CHARACTER = re.compile("[\x00\ud800-\udfff]")
FORM_MIMETYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


class HostileInput(BadRequest):
    """A request no route should see: answered 400 with the reason (problem+json or the HTML error page)."""


def _refuse_constant(name: str):
    raise HostileInput(f"The JSON has {name}, which is not a number JSON allows.")


def _checked_float(text: str) -> float:
    number = float(text)
    if not math.isfinite(number):
        raise HostileInput(f"The number {text[:20]} is too large.")
    return number


def _checked_int(text: str) -> int:
    if len(text.lstrip("-")) > 19 or abs(int(text)) > MAX_INTEGER:
        raise HostileInput(f"The number {text[:20]}… is too large (at most {MAX_INTEGER}).")
    return int(text)


_DECODER = json.JSONDecoder(parse_float=_checked_float, parse_int=_checked_int, parse_constant=_refuse_constant)


def _forbidden_character_problem(text: str, where: str) -> str | None:
    if text.isascii() and "\x00" not in text:  # the usual case, at memory speed (5 MB of messages: 10 ms)
        return None
    found = FORBIDDEN_CHARACTER.search(text)
    if found is None:
        return None
    what = "a NUL character" if found.group() == "\x00" else "a lone surrogate (not valid Unicode)"
    return f"{where} has {what}."


def check_document(document: Any) -> None:
    """Walk a parsed JSON document without recursion: refuse nesting past MAX_DEPTH and strings no column can hold."""
    stack = [(document, (), 0)]
    while stack:
        value, path, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise HostileInput(f"The JSON is nested deeper than {MAX_DEPTH} levels.")
        if isinstance(value, str):
            problem = _forbidden_character_problem(value, f"The value at {json_pointer(path) or '/'}")
        elif isinstance(value, dict):
            problem = next(filter(None, (_forbidden_character_problem(key, f"A key at {json_pointer(path) or '/'}")
                                         for key in value)), None)
            stack.extend((item, (*path, key), depth + 1) for key, item in value.items())
        elif isinstance(value, list):
            problem = None
            stack.extend((item, (*path, index), depth + 1) for index, item in enumerate(value))
        else:
            problem = None
        if problem:
            raise HostileInput(problem)


def load_json(data: str | bytes) -> Any:
    """json.loads that refuses, as HostileInput, what would overflow or crash something downstream.

    Plain syntax errors stay ValueError, so callers answer them as they always did.
    """
    if isinstance(data, bytes | bytearray):
        data = data.decode(json.detect_encoding(data), "surrogatepass")
    try:
        document = _DECODER.decode(data)
    except RecursionError:
        raise HostileInput(f"The JSON is nested deeper than {MAX_DEPTH} levels.") from None
    check_document(document)
    return document


class GuardedJSONProvider(DefaultJSONProvider):
    """app.json: request.get_json() (and flask.json.loads) parse through load_json."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        return load_json(s)


def _check_text_fields(fields, where: str) -> None:
    for name, values in fields.lists():
        for text in (name, *values):
            problem = _forbidden_character_problem(text, f"The {where} {name[:40]!r}")
            if problem:
                raise HostileInput(problem)


def guard_request() -> None:
    """before_request: query arguments, form fields and JSON bodies are refused here, before any route reads them."""
    _check_text_fields(request.args, "query argument")
    json_path = request.path.startswith(JSON_PATH_PREFIXES)
    if request.mimetype in FORM_MIMETYPES and not json_path:
        _check_text_fields(request.form, "field")
    elif request.content_length or request.is_json:
        # Signed webhooks parse their raw body themselves (after checking the signature): it is checked here too.
        if request.is_json:
            request.get_json(silent=True)  # parsed once through GuardedJSONProvider and cached for the route
        elif json_path:
            try:
                load_json(request.get_data(cache=True))
            except (ValueError, UnicodeDecodeError):
                pass  # not JSON at all: the route answers that in its own words


def install(app: Flask) -> None:
    """Parse JSON through the guard and check every request before its route runs."""
    app.json_provider_class = GuardedJSONProvider
    app.json = GuardedJSONProvider(app)
    app.before_request(guard_request)
