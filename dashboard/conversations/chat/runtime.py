"""One reply of the agent: its compiled prompt, the conversation so far, knowledge passages, and tool rounds.

Everything the reply needs is read from the database first (`prepare`), as plain data, and no transaction is
open while the model, a tool or Ultravox is called; each message is stored (and committed) as it is made.
"""
from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from dashboard.agents.models import Agent
from dashboard.agents.ultravox_compile import compile_call
from dashboard.conversations import ultravox_gateway
from dashboard.conversations.chat.llm_stream import ChatModelUnavailable, TextDelta, ToolCalls, stream_reply
from dashboard.conversations.chat.tools import ChatTool, chat_tools, run_tool

MAX_TOOL_ROUNDS = 5
HISTORY_MESSAGES = 40  # the last turns the model sees
KNOWLEDGE_RESULTS = 5
CHAT_STYLE = ("You are chatting in writing with a visitor of the business's website, in a small chat window: "
              "answer in short plain-text paragraphs.")
log = logging.getLogger(__name__)


@dataclass
class Prepared:
    """What one reply needs, read before any outside call."""

    system_prompt: str
    temperature: float
    tools: list[ChatTool]
    corpus_id: str | None
    history: list[tuple[str, str]] = field(default_factory=list)  # (visitor|agent, text), oldest first


def prepare(agent: Agent, business_name: str | None, history: list[tuple[str, str]]) -> Prepared:
    """The agent compiled exactly as for a voice call (prompt, brand, connected apps' additions, tools)."""
    call = compile_call(agent, business_name)
    return Prepared(system_prompt=f"{call['systemPrompt']}\n\n{CHAT_STYLE}".strip(),
                    temperature=call.get("temperature", 0.4), tools=chat_tools(call.get("selectedTools") or []),
                    corpus_id=agent.corpus_id if ultravox_gateway.configured() else None, history=history)


@dataclass(frozen=True)
class Delta:
    text: str


@dataclass(frozen=True)
class ToolUse:
    name: str


@dataclass(frozen=True)
class Finished:
    text: str


@dataclass(frozen=True)
class Failed:
    message: str
    partial: str


def _knowledge(corpus_id: str, query: str) -> str | None:
    try:
        passages = ultravox_gateway.query_corpus(corpus_id, query, KNOWLEDGE_RESULTS)
    except ultravox_gateway.UltravoxError as error:
        log.warning("Chat knowledge query failed: %s", error.message)
        return None
    if not passages:
        return None
    listed = "\n\n".join(f"[{i}] {p}" for i, p in enumerate(passages, 1))
    return ("Passages from the business's knowledge base that may answer the visitor (use them when they do, "
            f"and say so when they do not):\n\n{listed}")


def _messages(prepared: Prepared, visitor_text: str) -> list[dict]:
    messages = [{"role": "system", "content": prepared.system_prompt}]
    messages += [{"role": "user" if role == "visitor" else "assistant", "content": text}
                 for role, text in prepared.history[-HISTORY_MESSAGES:]]
    if prepared.corpus_id:
        knowledge = _knowledge(prepared.corpus_id, visitor_text)
        if knowledge:
            messages.append({"role": "system", "content": knowledge})
    messages.append({"role": "user", "content": visitor_text})
    return messages


def reply(prepared: Prepared, visitor_text: str,
          on_tool: Callable[[str, str, str], None] = lambda kind, name, text: None) -> Iterator[Delta | ToolUse | Finished | Failed]:
    """The agent's reply as events: text deltas as they stream, each tool used, then Finished or Failed.

    `on_tool(kind, name, text)` is told each tool call ("tool_call", name, arguments) and its result
    ("tool_result", name, answer) as they happen, so they are stored in order.
    """
    messages = _messages(prepared, visitor_text)
    by_name = {tool.name: tool for tool in prepared.tools}
    definitions = [tool.definition for tool in prepared.tools]
    text = ""
    try:
        for _round in range(MAX_TOOL_ROUNDS + 1):
            asked: list = []
            # After the last allowed round the model must answer with what it has.
            for event in stream_reply(messages, definitions if _round < MAX_TOOL_ROUNDS else [],
                                      prepared.temperature):
                if isinstance(event, TextDelta):
                    text += event.text
                    yield Delta(event.text)
                elif isinstance(event, ToolCalls):
                    asked = event.calls
            if not asked:
                yield Finished(text)
                return
            messages.append({"role": "assistant", "content": text or None, "tool_calls": [
                {"id": call.id, "type": "function", "function": {"name": call.name, "arguments": call.arguments}}
                for call in asked]})
            for call in asked:
                yield ToolUse(call.name)
                on_tool("tool_call", call.name, call.arguments)
                tool = by_name.get(call.name)
                answer = run_tool(tool, call.arguments) if tool else f"There is no tool named {call.name}."
                on_tool("tool_result", call.name, answer)
                messages.append({"role": "tool", "tool_call_id": call.id, "content": answer})
        yield Finished(text)
    except ChatModelUnavailable as failure:
        log.warning("Chat reply failed: %s", failure)
        yield Failed(failure.message, text)
