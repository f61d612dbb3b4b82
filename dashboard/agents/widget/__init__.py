"""The widget: its builder section with live preview, and the public /widget/* endpoints sites call with its token."""
from dashboard.agents.widget import public, routes  # noqa: F401
