"""Agents: The agent builder: prompt, voice, widget with live preview, custom tools, knowledge and embed."""
from flask import Blueprint

bp = Blueprint("agents", __name__, url_prefix="/agents")

from dashboard.agents import (  # noqa: E402,F401
    embed_routes,
    knowledge_routes,
    prompt_routes,
    routes,
    tool_routes,
    voice_routes,
    widget_routes,
)
from dashboard.agents.widget_api import widget_bp  # noqa: E402,F401  (registered by create_app)
