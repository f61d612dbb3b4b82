"""Agents pages."""
from flask import render_template

from dashboard.agents import bp


@bp.get("/")
def index():
    return render_template(
        "core/coming_soon.html",
        title="Agents",
        coming="The agent builder: prompt, voice, widget with live preview, custom tools, knowledge and embed.",
    )
