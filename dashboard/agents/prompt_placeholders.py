"""The placeholders a prompt may hold ({business}, {agent}): filled in for calls and chats, marked in the builder's preview."""
from __future__ import annotations

import re
from dataclasses import dataclass

PLACEHOLDER = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")
# Each known placeholder and what it stands for (said next to the preview).
KNOWN = {"business": "your business's name", "agent": "the agent's name"}


def values(business_name: str | None, agent_name: str | None) -> dict[str, str]:
    """The known placeholders' values (those that have one)."""
    return {key: value for key, value in (("business", business_name), ("agent", agent_name)) if value}


def fill(text: str, filled: dict[str, str]) -> str:
    """`text` with each known placeholder replaced by its value; anything else is left as written."""
    return PLACEHOLDER.sub(lambda match: filled.get(match.group(1), match.group(0)), text)


@dataclass(frozen=True)
class Part:
    """A piece of the previewed prompt: plain text, a filled-in value (`name` says which), or an unknown placeholder."""

    text: str
    kind: str = "text"  # text | filled | unknown
    name: str = ""


def parts(text: str, filled: dict[str, str]) -> list[Part]:
    """`text` split into plain text, filled-in values and placeholders that stay as written (for the preview)."""
    pieces, start = [], 0
    for match in PLACEHOLDER.finditer(text):
        if match.start() > start:
            pieces.append(Part(text[start:match.start()]))
        name = match.group(1)
        pieces.append(Part(filled[name], "filled", name) if name in filled else Part(match.group(0), "unknown", name))
        start = match.end()
    if start < len(text):
        pieces.append(Part(text[start:]))
    return pieces


def unknown(text: str, filled: dict[str, str]) -> list[str]:
    """The placeholders in `text` that nothing fills in, each once, in order."""
    return list(dict.fromkeys(name for name in PLACEHOLDER.findall(text) if name not in filled))
