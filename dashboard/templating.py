"""Jinja filters and globals every template may use."""
from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask


def _datetime(value: datetime | None, fmt: str = "%b %d, %Y %H:%M") -> str:
    if value is None:
        return "—"
    return value.astimezone(UTC).strftime(fmt) + " UTC"


def _date(value: datetime | None) -> str:
    return "—" if value is None else value.strftime("%b %d, %Y")


def register(app: Flask) -> None:
    app.add_template_filter(_datetime, "datetime")
    app.add_template_filter(_date, "date")

