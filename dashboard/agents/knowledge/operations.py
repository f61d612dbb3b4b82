"""Knowledge sources: files and web pages within the plan's limits, stored as pending until the sync job sends them."""
from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from dashboard import safe_http
from dashboard.agents.models import Agent, KnowledgeSource
from dashboard.agents.uploads import KNOWLEDGE_KINDS, KNOWLEDGE_MAX_BYTES, discard_uploads, store_upload, upload_key
from dashboard.billing.entitlements import require_quota
from dashboard.extensions import db

# pending → syncing → ready | failed (with the reason), or skipped while Ultravox is not configured.
IN_PROGRESS = ("pending", "syncing")
WAITING = "Waiting to be sent to Ultravox."


def sources(agent: Agent) -> list[KnowledgeSource]:
    return list(db.session.scalars(select(KnowledgeSource).where(KnowledgeSource.agent_id == agent.agent_id)
                                   .order_by(KnowledgeSource.created_at.desc(),
                                             KnowledgeSource.knowledge_source_id.desc())))


def in_progress(listed: list[KnowledgeSource]) -> bool:
    """Whether any of the sources is still waiting for, or in, its sync (the list then polls itself)."""
    return any(source.status in IN_PROGRESS for source in listed)


def add_web_source(agent: Agent, url: str, name: str | None = None) -> KnowledgeSource:
    """A web page as a pending source; NotEntitled past max_web_sources, UnsafeURL for internal or non-https URLs."""
    require_quota(agent.customer_id, "max_web_sources")
    if urlsplit(url).scheme != "https":
        raise safe_http.UnsafeURL("Use an https:// address.")
    safe_http.check_url(url)
    return _add(KnowledgeSource(agent_id=agent.agent_id, kind="web", name=(name or url)[:255], url=url))


def add_file_source(agent: Agent, upload: FileStorage | None) -> KnowledgeSource:
    """An uploaded file as a pending source; NotEntitled past max_file_uploads, RejectedUpload for a bad file."""
    require_quota(agent.customer_id, "max_file_uploads")
    stored = store_upload(agent.customer_id, upload, KNOWLEDGE_KINDS, KNOWLEDGE_MAX_BYTES)
    return _add(KnowledgeSource(agent_id=agent.agent_id, kind="file", name=stored.original_name,
                                stored_path=stored.stored_name, content_type=stored.content_type,
                                size_bytes=stored.size_bytes))


def _add(source: KnowledgeSource) -> KnowledgeSource:
    source.status, source.status_detail = "pending", WAITING
    db.session.add(source)
    db.session.flush()
    return source


def mark_for_sync(source: KnowledgeSource) -> None:
    """Send the source again (after a failure, or once Ultravox is configured): pending until the job runs."""
    source.status, source.status_detail = "pending", WAITING
    db.session.flush()


def delete_source(source: KnowledgeSource, customer_id: int) -> None:
    """Delete the source and its stored file (the corpus copy is left for Ultravox's own clean-up)."""
    if source.stored_path:
        discard_uploads([upload_key(customer_id, source.stored_path)])
    db.session.delete(source)
    db.session.flush()
