"""What each /api/v1 operation accepts and answers, declared once beside its view.

`@documented(...)` records the operation's JSON Schemas on the view; the view validates its input with the same
schemas, and `dashboard/api/openapi.py` assembles the OpenAPI document from these records and the URL map.
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Contract:
    summary: str
    tag: str
    status: int = 200
    body: dict | None = None  # the request body's JSON Schema
    response: dict | None = None  # the success answer's JSON Schema (None: no body, e.g. 204)
    query: dict = field(default_factory=dict)  # query argument name → JSON Schema
    description: str = ""
    conflict: bool = False  # may answer 409 (uniqueness)


def documented(summary: str, tag: str, **details):
    def record(view):
        view.__contract__ = Contract(summary, tag, **details)
        return view

    return record
