"""Uploaded files: type checked by extension and content (magic bytes), size capped, stored under generated names."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from werkzeug.datastructures import FileStorage


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
    path: Path
    content_type: str
    size_bytes: int


def customer_folder(customer_id: int) -> Path:
    return Path(current_app.instance_path) / "uploads" / str(int(customer_id))


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
    """Check the upload and write it to the customer's folder under a generated name."""
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
    folder = customer_folder(customer_id)
    folder.mkdir(parents=True, exist_ok=True)
    stored_name = f"{uuid.uuid4().hex}.{extension}"
    path = folder / stored_name
    path.write_bytes(data)
    return StoredFile(original, stored_name, path, kind.content_type, len(data))
