"""Integrations: Third-party app connections over OAuth, per agent, and the actions they add to agents."""
from flask import Blueprint

bp = Blueprint("integrations", __name__, url_prefix="/integrations")
# Connect and disconnect are an agent's actions: /agents/<agent_id>/integrations/<slug>/...
agent_bp = Blueprint("agent_integrations", __name__, url_prefix="/agents")

from dashboard.integrations import agent_tools, builder_section, routes, tool_endpoint  # noqa: E402,F401
