"""A small OpenAI-compatible chat completions stand-in: answers POST /v1/chat/completions with a set reply."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class ChatCompletionsStandin:
    """Records every request; answers with `reply` (a dict sent as the message content, or a raw string)."""

    def __init__(self, api_key: str):
        self.api_key = api_key
        self.requests: list[dict] = []
        self.reply: dict | str = {}
        self.status = 200
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
            content = standin.reply if isinstance(standin.reply, str) else json.dumps(standin.reply)
            return self._send(200, {
                "id": "chatcmpl-standin", "object": "chat.completion", "model": body.get("model"),
                "choices": [{"index": 0, "finish_reason": "stop",
                             "message": {"role": "assistant", "content": content}}],
                "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
            })

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
