"""The Tools section: custom HTTP tools an agent may call, edited as rows or JSON and tested for real."""
from dashboard.agents.tools import routes  # noqa: F401
