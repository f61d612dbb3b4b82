"""Sentiment bands, defined once: negative < -0.2 ≤ neutral ≤ 0.2 < positive, for the analyser, filters and charts."""
from __future__ import annotations

from sqlalchemy import ColumnElement

NEGATIVE_BELOW, POSITIVE_ABOVE = -0.2, 0.2
BANDS = ("negative", "neutral", "positive")
LABELS = {"positive": f"Positive (> {POSITIVE_ABOVE})", "neutral": "Neutral", "negative": f"Negative (< {NEGATIVE_BELOW})"}


def band(score: float | None) -> str | None:
    """The band a score from -1 to 1 falls in; None for no score."""
    if score is None:
        return None
    if score < NEGATIVE_BELOW:
        return "negative"
    return "positive" if score > POSITIVE_ABOVE else "neutral"


def in_band(column, name: str) -> ColumnElement[bool]:
    """SQL: `column` (a sentiment score) falls in band `name`."""
    if name == "negative":
        return column < NEGATIVE_BELOW
    if name == "positive":
        return column > POSITIVE_ABOVE
    if name == "neutral":
        return column.between(NEGATIVE_BELOW, POSITIVE_ABOVE)
    raise ValueError(f"unknown sentiment band {name!r}")
