"""Jinja filters and globals every template may use."""
from __future__ import annotations

from datetime import UTC, datetime

from flask import Flask, request


def _datetime(value: datetime | None, fmt: str = "%b %d, %Y %H:%M") -> str:
    if value is None:
        return "—"
    return value.astimezone(UTC).strftime(fmt) + " UTC"


def _date(value: datetime | None) -> str:
    return "—" if value is None else value.strftime("%b %d, %Y")


def register(app: Flask) -> None:
    app.add_template_filter(_datetime, "datetime")
    app.add_template_filter(_date, "date")

    @app.after_request
    def vary_on_htmx_for_agents(response):
        # Interim: the agents pages still choose page or fragment on their own. Every other route
        # says what it varies on through dashboard/fragments.py; this goes when agents adopts it.
        if "agents" in request.blueprints and "HX-Request" not in response.vary:
            response.vary.add("HX-Request")
        return response
