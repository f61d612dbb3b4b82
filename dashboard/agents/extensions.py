"""What higher domains add to an agent's conversations (prompt parts and tools), asked through a signal.

Channel-neutral: the voice call (ultravox_compile) and text chat read the same list.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from dashboard.agents.models import Agent
from dashboard.signals import agent_extensions, collect

HIDDEN = "********"


@dataclass
class Extension:
    """`source` names who adds it (an app's name); `prompt` is added to the system prompt; `tools` as in signals."""

    source: str
    prompt: str | None = None
    tools: list[dict] = field(default_factory=list)


def extensions_for(agent: Agent, reveal_secrets: bool = True) -> list[Extension]:
    """Every extension of the agent. With reveal_secrets false, tool header values are HIDDEN (for pages)."""
    found: list[Extension] = []
    for answer in collect(agent_extensions, None, agent=agent, reveal_secrets=reveal_secrets):
        found.extend(answer)
    return found
