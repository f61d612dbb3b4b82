"""A small OpenAI-compatible chat completions stand-in: answers POST /v1/chat/completions with a set reply.

With `"stream": true` it answers in OpenAI's streaming wire format: server-sent events, each
`data: {"object": "chat.completion.chunk", "choices": [{"delta": {...}}]}`, then `data: [DONE]`. The text
comes in `delta.content` pieces; a tool call in `delta.tool_calls` pieces (id and name first, then the
arguments in fragments), with `finish_reason: "tool_calls"`. Program the streamed turns with `turns`.
"""
from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class ChatCompletionsStandin:
    """Records every request; answers with `reply` (a dict sent as the message content, or a raw string)."""

    def __init__(self, api_key: str):
        self.api_key = api_key
        self.requests: list[dict] = []
        self.reply: dict | str = {}
        self.status = 200
        # Streamed answers, one per request in order: {"text": "..."} or {"tool_calls": [{"name", "arguments"}]}.
        # When none is left, the answer is "You said: <the last user message>".
        self.turns: list[dict] = []
        self.failures_left = 0  # answer this many requests 503 first (a transient outage)
        self.chunk_delay = 0.0  # seconds between two streamed chunks
        self.first_chunk_delay = 0.0  # seconds before the first (the model "thinking")
        self.gate: threading.Event | None = None  # when set, streams wait for it before their first chunk
        self._turns_lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="llm-standin", daemon=True)
        self._thread.start()
        self.base_url = f"http://127.0.0.1:{self._server.server_port}/v1"

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


def _handler_for(standin: ChatCompletionsStandin):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"null")
            standin.requests.append({"path": self.path, "authorization": self.headers.get("Authorization"),
                                     "json": body})
            if self.path != "/v1/chat/completions":
                return self._send(404, {"error": {"message": "not found"}})
            if self.headers.get("Authorization") != f"Bearer {standin.api_key}":
                return self._send(401, {"error": {"message": "Incorrect API key provided."}})
            if standin.status != 200:
                return self._send(standin.status, {"error": {"message": "stand-in failure"}})
            with standin._turns_lock:
                failing = standin.failures_left > 0
                standin.failures_left -= 1 if failing else 0
                turn = standin.turns.pop(0) if body.get("stream") and standin.turns else None
            if failing:
                return self._send(503, {"error": {"message": "stand-in overloaded"}})
            if body.get("stream"):
                return self._stream(body, turn or {"text": "You said: " + _last_user_message(body)})
            content = standin.reply if isinstance(standin.reply, str) else json.dumps(standin.reply)
            return self._send(200, {
                "id": "chatcmpl-standin", "object": "chat.completion", "model": body.get("model"),
                "choices": [{"index": 0, "finish_reason": "stop",
                             "message": {"role": "assistant", "content": content}}],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            })

        def _stream(self, body: dict, turn: dict):
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-cache")
            self.send_header("Connection", "close")
            self.end_headers()
            self.close_connection = True
            time.sleep(standin.first_chunk_delay)
            if standin.gate is not None:
                standin.gate.wait(30)
            base = {"id": "chatcmpl-standin", "object": "chat.completion.chunk", "model": body.get("model")}
            self._event({**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}}]})
            if "tool_calls" in turn:
                for index, call in enumerate(turn["tool_calls"]):
                    arguments = json.dumps(call.get("arguments", {}))
                    self._event({**base, "choices": [{"index": 0, "delta": {"tool_calls": [{
                        "index": index, "id": f"call_{index}", "type": "function",
                        "function": {"name": call["name"], "arguments": ""}}]}}]})
                    for start in range(0, len(arguments), 8):
                        self._event({**base, "choices": [{"index": 0, "delta": {"tool_calls": [{
                            "index": index, "function": {"arguments": arguments[start:start + 8]}}]}}]})
                finish = "tool_calls"
            else:
                words = turn["text"].split(" ")
                for index, word in enumerate(words):
                    piece = word if index == 0 else " " + word
                    self._event({**base, "choices": [{"index": 0, "delta": {"content": piece}}]})
                finish = "stop"
            self._event({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": finish}]})
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()

        def _event(self, chunk: dict):
            self.wfile.write(b"data: " + json.dumps(chunk).encode() + b"\n\n")
            self.wfile.flush()
            if standin.chunk_delay:
                time.sleep(standin.chunk_delay)

        def _send(self, status: int, payload: dict):
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format, *args):
            """Quiet: `standin.requests` is the log."""

    return Handler


def _last_user_message(body: dict) -> str:
    users = [m.get("content") or "" for m in body.get("messages") or [] if m.get("role") == "user"]
    return users[-1] if users else ""
