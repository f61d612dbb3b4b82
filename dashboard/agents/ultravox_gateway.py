"""The agent domain's Ultravox calls: the voice catalog (cached), voice previews, test calls, corpora and sources."""
from __future__ import annotations

import hashlib
import threading
import time
from urllib.parse import parse_qs, urlsplit

import requests
from flask import current_app

from dashboard.agents.voice.catalog import Voice
from dashboard.ultravox_client import UltravoxError, request_ultravox

VOICES_TTL_SECONDS = 600
MAX_VOICE_PAGES = 5
_cache: dict[str, tuple[float, list[Voice]]] = {}
_cache_lock = threading.Lock()


def _cache_key() -> str:
    # Per base URL and key, so tests against different stand-ins (or a rotated key) never share entries.
    raw = f"{current_app.config['ULTRAVOX_API_BASE']}|{current_app.config['ULTRAVOX_API_KEY']}"
    return hashlib.sha256(raw.encode()).hexdigest()


def list_voices() -> list[Voice]:
    """Ultravox's voices, at most MAX_VOICE_PAGES pages, cached for ten minutes."""
    key = _cache_key()
    with _cache_lock:
        cached = _cache.get(key)
        if cached and cached[0] > time.monotonic():
            return cached[1]
    voices: dict[str, Voice] = {}
    cursor = None
    for _ in range(MAX_VOICE_PAGES):
        params = {"pageSize": 100, **({"cursor": cursor} if cursor else {})}
        page = request_ultravox("GET", "/api/voices", params=params).json()
        for item in page.get("results") or []:
            voice = _voice(item)
            if voice is not None:
                voices.setdefault(voice.name, voice)
        # Only the cursor is taken from `next`: we never follow a URL the answer names.
        cursor = (parse_qs(urlsplit(page.get("next") or "").query).get("cursor") or [None])[0]
        if not cursor:
            break
    result = sorted(voices.values(), key=lambda v: (v.language, v.name))
    with _cache_lock:
        _cache[key] = (time.monotonic() + VOICES_TTL_SECONDS, result)
    return result


def _voice(item: dict) -> Voice | None:
    if not isinstance(item, dict) or not item.get("name"):
        return None
    label = (item.get("languageLabel") or "").split(" ", 1)
    # languageLabel starts with a flag emoji: "🇺🇸 English (United States)".
    language_label = label[-1] if len(label) == 2 and not label[0].isascii() else " ".join(label)
    return Voice(name=str(item["name"])[:40], language=str(item.get("primaryLanguage") or ""),
                 language_label=language_label or str(item.get("primaryLanguage") or "Unknown"),
                 provider=str(item.get("provider") or ""), description=str(item.get("description") or ""),
                 voice_id=str(item.get("voiceId") or "") or None)


def voice_preview(voice_id: str) -> tuple[bytes, str]:
    """The audio sample of one voice and its content type."""
    response = request_ultravox("GET", f"/api/voices/{voice_id}/preview", allow_redirects=False)
    if response.is_redirect:
        # Ultravox may redirect to its storage; fetch that without our key.
        try:
            response = requests.get(response.headers["Location"], timeout=(5, 20))
            response.raise_for_status()
        except requests.RequestException as error:
            raise UltravoxError(f"The voice preview could not be loaded ({type(error).__name__}).") from error
    return response.content, response.headers.get("Content-Type", "audio/wav")


def create_call(call_request: dict) -> dict:
    """Start a call with the compiled agent; Ultravox's answer (joinUrl, callId)."""
    return request_ultravox("POST", "/api/calls", json=call_request).json()


def create_corpus(name: str, description: str) -> str:
    return request_ultravox("POST", "/api/corpora", json={"name": name[:100], "description": description}
                            ).json()["corpusId"]


def add_web_source(corpus_id: str, name: str, url: str) -> str:
    body = {"name": name, "crawl": {"startUrls": [url], "maxDepth": 1, "maxDocuments": 20}}
    return request_ultravox("POST", f"/api/corpora/{corpus_id}/sources", json=body).json()["sourceId"]


def add_file_source(corpus_id: str, name: str, file_name: str, content_type: str, data: bytes) -> str:
    """Upload the file to the presigned URL Ultravox hands out, then make it a source of the corpus."""
    upload = request_ultravox("POST", f"/api/corpora/{corpus_id}/uploads",
                              json={"mimeType": content_type, "fileName": file_name}).json()
    try:
        put = requests.put(upload["presignedUrl"], data=data, headers={"Content-Type": content_type},
                           timeout=(5, 60))
        put.raise_for_status()
    except (requests.RequestException, KeyError) as error:
        raise UltravoxError(f"The file could not be uploaded to Ultravox ({type(error).__name__}).") from error
    body = {"name": name, "upload": {"documentIds": [upload["documentId"]]}}
    return request_ultravox("POST", f"/api/corpora/{corpus_id}/sources", json=body).json()["sourceId"]
