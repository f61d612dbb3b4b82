"""Agents: The agent builder: prompt, voice, widget with live preview, custom tools, knowledge and embed."""
from flask import Blueprint

bp = Blueprint("agents", __name__, url_prefix="/agents")

from dashboard.agents import routes  # noqa: E402,F401
