"""The builder itself: the agent list, creating and deleting agents, the page that composes the sections, Details, Prompt, Embed."""
from dashboard.agents.builder import embed, prompt, routes  # noqa: F401
