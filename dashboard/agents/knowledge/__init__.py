"""The Knowledge section: files and web pages within the plan's limits, synced to the agent's Ultravox corpus."""
from dashboard.agents.knowledge import routes, usage  # noqa: F401
