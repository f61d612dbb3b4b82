"""The agent domain's Ultravox calls: the voice catalog (cached), voice previews, test calls, corpora and sources."""
from __future__ import annotations

import hashlib
from urllib.parse import parse_qs, urljoin, urlsplit

import requests
from flask import current_app

from dashboard import safe_http
from dashboard.agents.voice.catalog import Voice
from dashboard.ultravox_client import UltravoxError, request_ultravox

# A preview is answered with one of these types, whatever the upstream says (never text/html, say).
PREVIEW_TYPES = {"audio/mpeg", "audio/mp3", "audio/wav", "audio/x-wav", "audio/wave", "audio/ogg", "audio/webm",
                 "audio/aac", "audio/mp4", "audio/flac"}
PREVIEW_MAX_BYTES = 5 * 1024 * 1024
MAX_VOICE_PAGES = 5


def voices_cache_key() -> str:
    # Per base URL and key (hashed: the key never reaches Redis), so a rotated key never reads old entries.
    raw = f"{current_app.config['ULTRAVOX_API_BASE']}|{current_app.config['ULTRAVOX_API_KEY']}"
    return "ultravox-voices:" + hashlib.sha256(raw.encode()).hexdigest()


def list_voices() -> list[Voice]:
    """Ultravox's voices, at most MAX_VOICE_PAGES pages (uncached: the catalog caches them)."""
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
    return sorted(voices.values(), key=lambda v: (v.language, v.name))


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


def _preview_from_storage(location: str) -> tuple[bytes, str]:
    """Ultravox's redirect target (its storage), fetched without our key through the SSRF-safe client:
    one hop, public addresses only, no further redirects, size capped."""
    try:
        fetched = safe_http.request("GET", location, max_bytes=PREVIEW_MAX_BYTES)
    except safe_http.UnsafeURL as refused:
        raise UltravoxError(f"The voice preview could not be loaded: {refused.message}") from None
    if fetched.status != 200 or fetched.truncated:
        raise UltravoxError(f"The voice preview could not be loaded (HTTP {fetched.status}).")
    content_type = next((v for k, v in fetched.headers.items() if k.lower() == "content-type"), "")
    return fetched.body, content_type


def voice_preview(voice_id: str) -> tuple[bytes, str]:
    """The audio sample of one voice and its content type, one of PREVIEW_TYPES (else UltravoxError)."""
    response = request_ultravox("GET", f"/api/voices/{voice_id}/preview", allow_redirects=False, stream=True)
    with response:
        if response.is_redirect:
            audio, content_type = _preview_from_storage(urljoin(response.url, response.headers["Location"]))
        else:
            audio, content_type = response.raw.read(PREVIEW_MAX_BYTES + 1, decode_content=True), \
                response.headers.get("Content-Type", "")
    media_type = content_type.split(";")[0].strip().lower()
    if media_type not in PREVIEW_TYPES or len(audio) > PREVIEW_MAX_BYTES:
        raise UltravoxError("The voice preview is not an audio file we can play.")
    return audio, media_type


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
