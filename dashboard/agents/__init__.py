"""Agents: the agent builder, by section: details and prompt, voice, widget, tools, knowledge and embed."""
from flask import Blueprint

bp = Blueprint("agents", __name__, url_prefix="/agents")

# Each sub-package's routes add their URLs to `bp` and their section to the builder page.
from dashboard.agents import builder, knowledge, tools, voice, widget  # noqa: E402,F401
from dashboard.agents.widget.assets import widget_assets_bp  # noqa: E402,F401  (registered by create_app)
from dashboard.agents.widget.public import widget_bp  # noqa: E402,F401  (registered by create_app)
