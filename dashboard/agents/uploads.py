"""Uploaded files: type checked by extension and content (magic bytes), size capped, stored under generated names."""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from pathlib import Path

from werkzeug.datastructures import FileStorage

from dashboard.jobs import defer
from dashboard.storage import StorageUnavailable, storage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Kind:
    content_type: str
    magic: tuple[bytes, ...]  # empty: text, checked as UTF-8 without NUL bytes


AVATAR_KINDS = {
    "png": Kind("image/png", (b"\x89PNG\r\n\x1a\n",)),
    "jpg": Kind("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": Kind("image/jpeg", (b"\xff\xd8\xff",)),
    "gif": Kind("image/gif", (b"GIF87a", b"GIF89a")),
    "webp": Kind("image/webp", (b"RIFF",)),
}
KNOWLEDGE_KINDS = {
    "pdf": Kind("application/pdf", (b"%PDF-",)),
    "docx": Kind("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (b"PK\x03\x04",)),
    "txt": Kind("text/plain", ()),
    "md": Kind("text/markdown", ()),
    "csv": Kind("text/csv", ()),
}
AVATAR_MAX_BYTES = 1024 * 1024
KNOWLEDGE_MAX_BYTES = 5 * 1024 * 1024


class RejectedUpload(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class StoredFile:
    original_name: str
    stored_name: str
    key: str
    content_type: str
    size_bytes: int


def upload_key(customer_id: int, stored_name: str) -> str:
    """Where a customer's stored file lives in object storage: `<customer_id>/<generated name>`."""
    return f"{int(customer_id)}/{Path(stored_name).name}"


def _matches(data: bytes, extension: str, kind: Kind) -> bool:
    if not kind.magic:
        if b"\x00" in data:
            return False
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return False
        return True
    if extension == "webp":
        return data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    return any(data.startswith(magic) for magic in kind.magic)


def store_upload(customer_id: int, upload: FileStorage | None, kinds: dict[str, Kind], max_bytes: int) -> StoredFile:
    """Check the upload and store it under a generated name in the customer's part of object storage."""
    if upload is None or not upload.filename:
        raise RejectedUpload("Choose a file to upload.")
    original = Path(upload.filename).name[:255]
    extension = original.rsplit(".", 1)[-1].lower() if "." in original else ""
    kind = kinds.get(extension)
    if kind is None:
        raise RejectedUpload(f"Upload a {', '.join('.' + k for k in kinds)} file.")
    data = upload.stream.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise RejectedUpload(f"The file is larger than {max_bytes // (1024 * 1024)} MB.")
    if not data:
        raise RejectedUpload("The file is empty.")
    if not _matches(data, extension, kind):
        raise RejectedUpload(f"The file's content is not a real .{extension} file.")
    stored_name = f"{uuid.uuid4().hex}.{extension}"
    key = upload_key(customer_id, stored_name)
    try:
        storage().save(key, data, kind.content_type)
    except StorageUnavailable:
        raise RejectedUpload("The file could not be stored just now; please try again in a minute.") from None
    return StoredFile(original, stored_name, key, kind.content_type, len(data))


def discard_uploads(keys: list[str]) -> None:
    """Delete these stored files once the transaction that stopped using them commits (a job: the store may be away).

    Written in the caller's transaction: a change that rolls back deletes nothing, and no store is called
    while the transaction is open.
    """
    if keys:
        defer(delete_stored_files, list(keys))


def delete_stored_files(keys: list[str]) -> None:
    """The job: delete each stored file; an unreachable store raises, so the job system tries again later."""
    for key in keys:
        storage().delete(key)
