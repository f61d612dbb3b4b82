"""The chat model: any OpenAI-compatible chat completions API (CHAT_LLM_URL, CHAT_LLM_API_KEY, CHAT_LLM_MODEL), streamed.

`stream_reply` yields the reply's text as it arrives, then the tool calls the model asked for, if any. A
transient failure before anything arrived (no connection, a timeout, 429 or 5xx) is tried once more; any
other failure is ChatModelUnavailable, whose message is safe to show a visitor.
"""
from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass

import requests
from flask import current_app

from dashboard import metrics

TIMEOUT = (5, 30)  # connect; then at most this long between two chunks of the stream
RETRY_PAUSE_SECONDS = 0.5
TRANSIENT_STATUSES = {408, 409, 429, 500, 502, 503, 504}
UNAVAILABLE = "Sorry, I can't answer right now: our assistant is unavailable. Please try again in a moment."
log = logging.getLogger(__name__)


class ChatModelUnavailable(Exception):
    """The model could not be reached or failed; `message` is for the visitor, the log says why."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.message = UNAVAILABLE


@dataclass(frozen=True)
class ToolCall:
    id: str
    name: str
    arguments: str  # JSON text, as the model wrote it


@dataclass(frozen=True)
class TextDelta:
    text: str


@dataclass(frozen=True)
class ToolCalls:
    calls: list[ToolCall]


def configured() -> bool:
    return bool(current_app.config.get("CHAT_LLM_URL") and current_app.config.get("CHAT_LLM_API_KEY"))


def _open(body: dict) -> requests.Response:
    config = current_app.config
    for attempt in (1, 2):
        try:
            response = requests.post(f"{config['CHAT_LLM_URL']}/chat/completions", json=body, stream=True,
                                     headers={"Authorization": f"Bearer {config['CHAT_LLM_API_KEY']}",
                                              "Accept": "text/event-stream"}, timeout=TIMEOUT)
        except requests.RequestException as error:
            reason = f"the chat model could not be reached ({type(error).__name__})"
        else:
            if response.status_code < 400:
                return response
            response.close()
            reason = f"the chat model answered {response.status_code}"
            if response.status_code not in TRANSIENT_STATUSES:
                raise ChatModelUnavailable(reason)
        if attempt == 1:
            log.warning("Chat model: %s; trying once more", reason)
            time.sleep(RETRY_PAUSE_SECONDS)
    raise ChatModelUnavailable(reason)


def _lines(response: requests.Response) -> Iterator[bytes]:
    """The answer's lines as soon as each arrives: `read1` returns what one read of the socket gave, where
    `iter_lines` would wait for a full 512-byte block (several tokens) or, unchunked, for the whole answer."""
    pending = b""
    while True:
        data = response.raw.read1(8192)
        if not data:
            break
        pending += data
        *complete, pending = pending.split(b"\n")
        yield from (line.rstrip(b"\r") for line in complete)
    if pending:
        yield pending


def _chunks(response: requests.Response) -> Iterator[dict]:
    """The JSON chunks of a `stream: true` answer (server-sent events), until `data: [DONE]`."""
    for line in _lines(response):
        if not line.startswith(b"data:"):
            continue  # blank separators, comments, `event:` lines
        data = line[5:].strip()
        if data == b"[DONE]":
            return
        chunk = json.loads(data)
        if isinstance(chunk, dict) and chunk.get("error"):
            raise ChatModelUnavailable("the chat model reported an error mid-stream")
        yield chunk


def stream_reply(messages: list[dict], tools: list[dict], temperature: float) -> Iterator[TextDelta | ToolCalls]:
    """Ask the model; yields TextDelta as the text streams in, then ToolCalls when it asked for tools."""
    body = {"model": current_app.config.get("CHAT_LLM_MODEL") or "gpt-4o-mini", "messages": messages,
            "temperature": temperature, "stream": True}
    if tools:
        body["tools"] = tools
    started = time.perf_counter()
    outcome = "error"
    calls: dict[int, dict] = {}
    try:
        response = _open(body)
        with response:
            for chunk in _chunks(response):
                for choice in chunk.get("choices") or []:
                    delta = choice.get("delta") or {}
                    if delta.get("content"):
                        yield TextDelta(str(delta["content"]))
                    for part in delta.get("tool_calls") or []:
                        call = calls.setdefault(int(part.get("index", 0)), {"id": "", "name": "", "arguments": ""})
                        function = part.get("function") or {}
                        call["id"] = part.get("id") or call["id"]
                        call["name"] += function.get("name") or ""
                        call["arguments"] += function.get("arguments") or ""
        outcome = "ok"
    except requests.RequestException as error:
        raise ChatModelUnavailable(f"the chat model's stream broke off ({type(error).__name__})") from error
    except (ValueError, TypeError, AttributeError) as error:
        raise ChatModelUnavailable(f"the chat model sent an unreadable stream ({type(error).__name__})") from error
    finally:
        metrics.EXTERNAL_LATENCY.labels("llm", outcome).observe(time.perf_counter() - started)
    if calls:
        yield ToolCalls([ToolCall(c["id"] or f"call_{i}", c["name"], c["arguments"] or "{}")
                         for i, c in sorted(calls.items())])
