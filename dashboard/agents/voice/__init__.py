"""The Voice section: Ultravox's voice catalog (or the built-in one), filters, previews, choosing a voice."""
from dashboard.agents.voice import routes  # noqa: F401
