"""Reading a Stripe event's object: each field with the type Stripe documents, or MalformedEvent."""
from __future__ import annotations

from datetime import UTC, datetime


class MalformedEvent(Exception):
    """A signed event whose object lacks the shape Stripe documents; it can never apply, so it is acknowledged."""


def mapping(obj: dict, name: str) -> dict:
    """A nested object; absent or null is an empty one."""
    value = obj.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise MalformedEvent(f"{name} is not an object")
    return value


def listing(obj: dict, name: str) -> list[dict]:
    """A list of objects (`data` of a Stripe list); absent or null is an empty one."""
    value = obj.get(name)
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise MalformedEvent(f"{name} is not a list of objects")
    return value


def text(obj: dict, name: str) -> str | None:
    """A string field, such as an id; absent or null is None."""
    value = obj.get(name)
    if value is not None and not isinstance(value, str):
        raise MalformedEvent(f"{name} is not a string")
    return value


def digits(value) -> int | None:
    """Our own id carried as a string ("12"), or None for anything else (ASCII digits only)."""
    if not isinstance(value, str) or not value.isascii() or not value.isdigit() or len(value) > 18:
        return None
    return int(value)


def timestamp(value) -> datetime | None:
    """A Unix time Stripe sent, as an aware UTC datetime; absent or null is None."""
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool):
        raise MalformedEvent("a timestamp is not an integer")
    try:
        return datetime.fromtimestamp(value, UTC)
    except (OverflowError, OSError, ValueError):
        raise MalformedEvent("a timestamp is out of range") from None
