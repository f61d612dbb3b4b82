"""What an app's action is, and how it reaches the provider's API with a connection's token."""
from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from dashboard import safe_http


class ActionFailed(Exception):
    """The action could not be done; `message` is what the model should hear (no token, no internals)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Parameter:
    name: str
    description: str
    schema: dict
    required: bool = True

    def as_dict(self) -> dict:
        return {"name": self.name, "description": self.description, "schema": self.schema, "required": self.required}


@dataclass(frozen=True)
class Action:
    """One thing a connected app lets the agent do; `run(api, data, args)` answers what the model hears."""

    name: str
    description: str
    parameters: tuple[Parameter, ...]
    run: Callable
    summary: str = field(default="")  # for people, on the Integrations pages

    def json_schema(self) -> dict:
        return {"type": "object", "additionalProperties": False,
                "properties": {p.name: p.schema for p in self.parameters},
                "required": [p.name for p in self.parameters if p.required]}


class ProviderAPI:
    """The provider's API under `base`, called with a connection's access token through the SSRF-safe client."""

    def __init__(self, base: str, access_token: str):
        self.base = base.rstrip("/")
        self._token = access_token

    def call(self, method: str, path: str, body: dict | None = None) -> tuple[int, dict]:
        headers = {"Authorization": f"Bearer {self._token}", "Accept": "application/json"}
        data = None
        if body is not None:
            headers["Content-Type"] = "application/json; charset=utf-8"
            data = json.dumps(body).encode()
        try:
            response = safe_http.request(method, f"{self.base}{path}", headers=headers, body=data)
        except safe_http.UnsafeURL as refused:
            raise ActionFailed(f"The app could not be reached: {refused.message}") from None
        try:
            answer = json.loads(response.body or b"{}")
        except ValueError:
            answer = {}
        return response.status, answer if isinstance(answer, dict) else {"value": answer}
