"""What conversations read from Ultravox: a call, every page of its messages, and its recording."""
from __future__ import annotations

import uuid

import requests
from flask import current_app

from dashboard.ultravox_client import UltravoxError, configured, request_ultravox

PAGE_SIZE = 200
MAX_PAGES = 100  # 20,000 messages: far beyond any real call; stops a cursor loop
RECORDING_TIMEOUT = (5, 60)

__all__ = ["UltravoxError", "configured", "fetch_call", "fetch_messages", "open_recording", "query_corpus",
           "valid_call_id"]


def valid_call_id(call_id: str) -> bool:
    try:
        return str(uuid.UUID(call_id)) == call_id.lower()
    except (ValueError, AttributeError, TypeError):
        return False


def fetch_call(call_id: str) -> dict:
    return request_ultravox("GET", f"/api/calls/{call_id}").json()


def fetch_messages(call_id: str) -> list[dict]:
    """Every message of the call (all stages), following the `next` cursor until the last page."""
    base = current_app.config["ULTRAVOX_API_BASE"]
    url, params = f"/api/calls/{call_id}/messages", {"pageSize": PAGE_SIZE, "mode": "in_call"}
    messages: list[dict] = []
    for _ in range(MAX_PAGES):
        page = request_ultravox("GET", url, params=params).json()
        messages.extend(page.get("results") or [])
        url, params = page.get("next"), None
        if not url:
            return messages
        if not url.startswith(base + "/"):
            # The API key goes with every request: never to a host other than Ultravox's.
            raise UltravoxError(f"Ultravox returned a next page on another host: {url[:100]}")
    raise UltravoxError(f"Ultravox returned more than {MAX_PAGES} pages of messages.")


def open_recording(call_id: str) -> requests.Response:
    """The recording as a streamed response (audio/wav), following Ultravox's redirect without the API key."""
    response = request_ultravox("GET", f"/api/calls/{call_id}/recording", stream=True, allow_redirects=False)
    if response.is_redirect:
        response.close()
        try:
            response = requests.get(response.headers["Location"], stream=True, timeout=RECORDING_TIMEOUT)
        except requests.RequestException as error:
            raise UltravoxError(f"The recording could not be fetched ({type(error).__name__}).") from error
        if response.status_code >= 400:
            response.close()
            raise UltravoxError(f"The recording host answered {response.status_code}.", response.status_code)
    return response


def query_corpus(corpus_id: str, query: str, max_results: int = 5) -> list[str]:
    """The passages of the agent's corpus that best match `query` (Ultravox's corpus query), best first."""
    answer = request_ultravox("POST", f"/api/corpora/{corpus_id}/query",
                              json={"query": query, "maxResults": max_results}).json()
    if not isinstance(answer, list):
        return []
    return [str(item["content"]) for item in answer if isinstance(item, dict) and item.get("content")]
