"""Jinja filters and globals every template may use. Times are shown in the signed-in customer's time zone."""
from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
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


def _decimal(value) -> Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip().replace(",", "")) if isinstance(value, str) else Decimal(value)
    except (InvalidOperation, ValueError, TypeError):
        return None
    return number if number.is_finite() else None


def number(value, places: int = 1) -> str:
    """The one way a figure is shown: thousands separated, whole numbers without decimals ("3,500"), others with
    at most `places` ("12.5"); "—" for none. Text that is not a number is shown as it is."""
    figure = _decimal(value)
    if figure is None:
        return "—" if value is None or value == "" else str(value)
    rounded = figure.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP) if places else \
        figure.quantize(Decimal(1), rounding=ROUND_HALF_UP)
    if rounded == rounded.to_integral_value():
        return f"{int(rounded):,}"
    return f"{rounded:,.{places}f}".rstrip("0")


def money(value, per: str | None = None) -> str:
    """The one way an amount in dollars is shown: "$149", "$3,500", "$149.50" (cents only when there are some),
    "−$20"; with `per` ("month", "year") "$149/month"; "—" for none. Text that is not an amount is shown as it is."""
    amount = _decimal(value)
    if amount is None:
        return "—" if value is None or value == "" else str(value)
    cents = abs(amount).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    text = f"${int(cents):,}" if cents == cents.to_integral_value() else f"${cents:,.2f}"
    return ("−" if amount < 0 and cents else "") + text + (f"/{per}" if per else "")


def cadence_unit(cadence: str | None) -> str:
    """What a plan's price is per: "year" for yearly plans, else "month"."""
    return "year" if cadence == "yearly" else "month"


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
    app.add_template_filter(number, "number")
    app.add_template_filter(money, "money")
    app.add_template_filter(cadence_unit, "per")
    app.add_template_filter(_datetime, "datetime")
    app.add_template_filter(_date, "date")
    app.add_template_filter(_duration, "duration")
    app.add_template_filter(_file_size, "file_size")
    app.add_template_filter(_breakable, "breakable")
