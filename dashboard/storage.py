"""Object storage for uploaded files: the instance folder by default, an S3-compatible bucket when configured."""
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol

from flask import Flask, current_app

CHUNK_BYTES = 64 * 1024


class StorageUnavailable(OSError):
    """The object store could not be reached or refused the request (not: the object does not exist)."""


class Storage(Protocol):
    def save(self, key: str, data: bytes, content_type: str) -> None: ...
    def read(self, key: str) -> bytes: ...
    def open(self, key: str) -> Iterator[bytes]: ...
    def delete(self, key: str) -> None: ...
    def exists(self, key: str) -> bool: ...
    def ping(self) -> None: ...


def _safe_key(key: str) -> str:
    """Keys are ours (`<customer_id>/<generated name>`); refuse anything that could climb out of the root."""
    parts = key.split("/")
    if not key or key.startswith("/") or any(part in ("", ".", "..") for part in parts) or "\\" in key:
        raise ValueError(f"not a storage key: {key!r}")
    return key


class LocalStorage:
    """Files under one folder (instance/uploads): the embedded default, for a single machine."""

    def __init__(self, root: Path):
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / _safe_key(key)

    def save(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)

    def read(self, key: str) -> bytes:
        return self._path(key).read_bytes()  # FileNotFoundError when absent

    def open(self, key: str) -> Iterator[bytes]:
        handle = self._path(key).open("rb")  # raises here, before a response starts, when absent

        def chunks():
            with handle:
                while chunk := handle.read(CHUNK_BYTES):
                    yield chunk
        return chunks()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def ping(self) -> None:
        """Raise StorageUnavailable unless files can be written here."""
        self.root.mkdir(parents=True, exist_ok=True)
        if not os.access(self.root, os.W_OK):
            raise StorageUnavailable(f"{self.root} is not writable")


class S3Storage:
    """Objects in one bucket through boto3 (AWS, or any S3-compatible server named by STORAGE_URL)."""

    def __init__(self, config: dict):
        import boto3
        from botocore.config import Config

        self.bucket = config["STORAGE_BUCKET"]
        self.client = boto3.client(
            "s3", endpoint_url=config["STORAGE_URL"], region_name=config["STORAGE_REGION"],
            aws_access_key_id=config["STORAGE_ACCESS_KEY_ID"], aws_secret_access_key=config["STORAGE_SECRET_ACCESS_KEY"],
            # Short timeouts and few retries: an upload or an avatar should fail fast, not hang a worker.
            config=Config(connect_timeout=3, read_timeout=15, retries={"max_attempts": 2, "mode": "standard"}))

    def _call(self, operation: str, **params):
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return getattr(self.client, operation)(Bucket=self.bucket, **params)
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code in ("NoSuchKey", "404", "NotFound"):
                raise FileNotFoundError(params.get("Key")) from None
            raise StorageUnavailable(f"object storage refused {operation}: {code}") from None
        except BotoCoreError as error:
            raise StorageUnavailable(f"object storage unreachable: {type(error).__name__}") from None

    def save(self, key: str, data: bytes, content_type: str) -> None:
        self._call("put_object", Key=_safe_key(key), Body=data, ContentType=content_type)

    def read(self, key: str) -> bytes:
        return b"".join(self.open(key))

    def open(self, key: str) -> Iterator[bytes]:
        body = self._call("get_object", Key=_safe_key(key))["Body"]

        def chunks():
            with body:
                yield from body.iter_chunks(CHUNK_BYTES)
        return chunks()

    def delete(self, key: str) -> None:
        self._call("delete_object", Key=_safe_key(key))  # S3 answers 204 for a key that is not there

    def exists(self, key: str) -> bool:
        try:
            self._call("head_object", Key=_safe_key(key))
        except FileNotFoundError:
            return False
        return True

    def ping(self) -> None:
        """Raise StorageUnavailable unless the bucket answers (HEAD, with the app's own credentials)."""
        try:
            self._call("head_bucket")
        except FileNotFoundError:
            raise StorageUnavailable(f"bucket {self.bucket} does not exist") from None


def build(app: Flask) -> Storage:
    if app.config.get("STORAGE_BUCKET"):
        return S3Storage(app.config)
    return LocalStorage(Path(app.instance_path) / "uploads")


def storage() -> Storage:
    """The app's object store, built on first use (one boto3 client per process, which is thread-safe)."""
    store = current_app.extensions.get("storage")
    if store is None:
        store = current_app.extensions.setdefault("storage", build(current_app))
    return store
