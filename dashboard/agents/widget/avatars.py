"""Widget avatars: stored uploads under public unguessable names, and their files deleted once nothing uses them."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask import url_for
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from dashboard.agents.models import Agent
from dashboard.agents.uploads import AVATAR_KINDS, AVATAR_MAX_BYTES, discard_uploads, store_upload, upload_key
from dashboard.extensions import db

# The public name: the owner's customer id, then the generated stored name.
AVATAR_NAME = re.compile(r"^(\d+)_([0-9a-f]{32}\.(?:png|jpe?g|gif|webp))$")


def store_avatar(customer_id: int, upload: FileStorage) -> str:
    """Check and store an uploaded avatar; its public URL (raises RejectedUpload)."""
    stored = store_upload(customer_id, upload, AVATAR_KINDS, AVATAR_MAX_BYTES)
    return url_for("agents.avatar", filename=f"{customer_id}_{stored.stored_name}")


def avatar_key(filename: str) -> str | None:
    """The storage key a public avatar name stands for, or None when the name is not one we give out."""
    match = AVATAR_NAME.match(filename)
    return upload_key(int(match.group(1)), match.group(2)) if match else None


def avatar_content_type(filename: str) -> str:
    """The type the avatar's checked extension gives (never what the store or the uploader said)."""
    return AVATAR_KINDS[filename.rsplit(".", 1)[-1].lower()].content_type


def _uploaded_file(customer_id: int, avatar_url: str | None) -> str | None:
    """The file behind `avatar_url` when it is an avatar this customer uploaded (not a typed external URL)."""
    if not avatar_url:
        return None
    path = urlsplit(avatar_url).path
    prefix = url_for("agents.avatar", filename="")
    if not path.startswith(prefix):
        return None
    name = path[len(prefix):]
    match = AVATAR_NAME.match(name)
    if match is None or int(match.group(1)) != customer_id:
        return None  # another customer's avatar URL typed in is never ours to delete
    return avatar_key(name)


def release_avatar(customer_id: int, avatar_url: str | None) -> None:
    """Delete an uploaded avatar's file unless one of the customer's agents still shows it.

    Call it inside the transaction that stops using the avatar (flushed): the deletion is a job that runs
    only if that transaction commits, so a failed save never loses the file.
    """
    key = _uploaded_file(customer_id, avatar_url)
    if key is None:
        return
    configs = db.session.scalars(select(Agent.ui_config).where(Agent.customer_id == customer_id)).all()
    if any((config or {}).get("avatar_url") == avatar_url for config in configs):
        return
    discard_uploads([key])
