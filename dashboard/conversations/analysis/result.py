"""What an analyzer returns for one conversation, before it is stored as an `analytics` row."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class AnalysisResult:
    call_summary: str
    intent: str
    sentiment: float  # -1 (negative) .. 1 (positive)
    sentiment_justification: str
    category: str
    category_description: str
    action: str
    sentiment_detailed: list[dict] = field(default_factory=list)  # [{index, role, score}] per visitor message


@dataclass(frozen=True)
class Turn:
    """One message as an analyzer sees it: its position in the transcript, role and text."""

    index: int
    role: str
    content: str
