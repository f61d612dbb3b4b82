"""Jinja filters and globals every template may use. Times are shown in the signed-in customer's time zone."""
from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask import Flask, has_request_context
from flask_login import current_user
from markupsafe import Markup, escape

# Where a long URL or identifier may break: after a slash, ?, &, =, _ or a dot (so never mid-word).
BREAK_AFTER = re.compile(r"(?<=[/?&=_.])")


def customer_zone() -> tzinfo:
    """The signed-in customer's time zone (Settings), else UTC (emails, jobs, signed-out pages)."""
    name = getattr(current_user, "time_zone", None) if has_request_context() else None
    try:
        return ZoneInfo(name) if name else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


def local(value: datetime, zone: tzinfo | None = None) -> datetime:
    return value.astimezone(zone or customer_zone())


def _datetime(value: datetime | None, fmt: str = "%b %d, %Y %H:%M", zone: str | None = None) -> str:
    """A moment in the customer's time zone (or `zone`, an IANA name, e.g. in an email), with the zone's abbreviation."""
    if value is None:
        return "—"
    moment = local(value, ZoneInfo(zone) if zone else None)
    return moment.strftime(fmt) + " " + (moment.tzname() or "UTC")


def _date(value: datetime | None) -> str:
    return "—" if value is None else local(value).strftime("%b %d, %Y") if isinstance(value, datetime) else \
        value.strftime("%b %d, %Y")


def _duration(seconds: int | None) -> str:
    """4m 05s, 1h 02m; — for none."""
    if seconds is None:
        return "—"
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}h {minutes:02d}m" if hours else f"{minutes}m {secs:02d}s"


def _file_size(size: int | None) -> str:
    """31 bytes, 2.4 KB, 1.2 MB (1 KB = 1,024 bytes); — for none."""
    if size is None:
        return "—"
    if size < 1024:
        return "1 byte" if size == 1 else f"{size:,} bytes"
    for unit in ("KB", "MB", "GB"):
        size /= 1024
        if size < 1024 or unit == "GB":
            shown = f"{size:,.1f}" if size < 100 else f"{size:,.0f}"
            return f"{shown.removesuffix('.0')} {unit}"
    raise AssertionError("unreachable")


def _breakable(text: str | None) -> Markup:
    """`text` escaped, with a line-break opportunity (<wbr>) after each / ? & = _ and dot: long URLs and tool names
    wrap between their parts instead of mid-token or off the screen."""
    return Markup("<wbr>").join(escape(piece) for piece in BREAK_AFTER.split(text or "") if piece)


def register(app: Flask) -> None:
    app.add_template_filter(_datetime, "datetime")
    app.add_template_filter(_date, "date")
    app.add_template_filter(_duration, "duration")
    app.add_template_filter(_file_size, "file_size")
    app.add_template_filter(_breakable, "breakable")
