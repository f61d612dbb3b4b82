"""The agent's tools for the chat model: the same compiled tool list a voice call gets, run through the SSRF-safe client.

The voice call's `selectedTools` (compile_call: custom tools, and whatever connected apps add) are turned into
OpenAI function definitions; a call the model asks for is sent exactly as the builder's "Test tool" sends it
(`run_tool_test`: safe_http, no redirects, 15 s, 256 KB). Only dynamic parameters are shown to the model: the
static ones (a tool's API key, say) are added to the request here and never enter a prompt.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass

from dashboard.agents.models import CustomTool
from dashboard.agents.tools.operations import run_tool_test
from dashboard.agents.ultravox_compile import LOCATIONS

MAX_RESULT_CHARS = 8000  # what the model reads of a tool's answer
_PLACES = {value: key for key, value in LOCATIONS.items()}
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChatTool:
    """One tool: its definition for the model, and what is needed to send it (plain data, no ORM rows)."""

    name: str
    definition: dict
    temporary: dict  # Ultravox's temporaryTool: the http target and parameters


def chat_tools(selected_tools: list[dict]) -> list[ChatTool]:
    """The compiled call's HTTP tools as function definitions (Ultravox built-ins such as queryCorpus are not)."""
    tools = []
    for selected in selected_tools:
        temporary = selected.get("temporaryTool")
        if not temporary or not temporary.get("http"):
            continue
        dynamic = temporary.get("dynamicParameters") or []
        parameters = {"type": "object",
                      "properties": {p["name"]: p.get("schema") or {"type": "string"} for p in dynamic},
                      "required": [p["name"] for p in dynamic if p.get("required")]}
        tools.append(ChatTool(temporary["modelToolName"], {"type": "function", "function": {
            "name": temporary["modelToolName"], "description": temporary.get("description") or "",
            "parameters": parameters}}, temporary))
    return tools


def _as_custom_tool(temporary: dict) -> CustomTool:
    """An unsaved CustomTool with the temporaryTool's target, so it is sent by the one request builder."""
    return CustomTool(
        name=temporary["modelToolName"], http_method=temporary["http"].get("httpMethod") or "GET",
        url=temporary["http"]["baseUrlPattern"],
        static_params=[{"name": p["name"], "location": _PLACES.get(p["location"], "query"), "value": p.get("value", "")}
                       for p in temporary.get("staticParameters") or []],
        dynamic_params=[{"name": p["name"], "location": _PLACES.get(p["location"], "query"),
                         "schema": p.get("schema") or {}, "required": bool(p.get("required"))}
                        for p in temporary.get("dynamicParameters") or []])


def run_tool(tool: ChatTool, arguments: str) -> str:
    """Send the tool's request with the model's arguments; the answer (or why there is none) as text for the model."""
    try:
        values = json.loads(arguments or "{}")
    except ValueError:
        values = None
    if not isinstance(values, dict):
        return "The tool was not called: its arguments must be a JSON object."
    result = run_tool_test(_as_custom_tool(tool.temporary), values)
    if result.failure:
        log.info("Chat tool %s could not be called (%s): %s", tool.name, result.failure.kind, result.failure.message)
        return f"The tool could not be called: {result.failure.message}"
    response = result.response
    return f"HTTP {response.status}\n{response.text[:MAX_RESULT_CHARS]}"
