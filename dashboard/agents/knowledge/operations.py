"""Knowledge sources: files and web pages within the plan's limits, synced to the agent's Ultravox corpus."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from dashboard import safe_http, ultravox_client
from dashboard.agents import ultravox_gateway
from dashboard.agents.models import Agent, KnowledgeSource
from dashboard.agents.uploads import KNOWLEDGE_KINDS, KNOWLEDGE_MAX_BYTES, customer_folder, store_upload
from dashboard.billing.entitlements import require_quota
from dashboard.extensions import db

NOT_CONFIGURED = "Stored here; not synced because Ultravox is not configured."


def sources(agent: Agent) -> list[KnowledgeSource]:
    return list(db.session.scalars(select(KnowledgeSource).where(KnowledgeSource.agent_id == agent.agent_id)
                                   .order_by(KnowledgeSource.created_at.desc(),
                                             KnowledgeSource.knowledge_source_id.desc())))


def add_web_source(agent: Agent, url: str, name: str | None = None) -> KnowledgeSource:
    """A web page as a source; NotEntitled past max_web_sources, UnsafeURL for internal or non-https URLs."""
    require_quota(agent.customer_id, "max_web_sources")
    if urlsplit(url).scheme != "https":
        raise safe_http.UnsafeURL("Use an https:// address.")
    safe_http.check_url(url)
    source = KnowledgeSource(agent_id=agent.agent_id, kind="web", name=(name or url)[:255], url=url,
                             status="pending")
    db.session.add(source)
    db.session.flush()
    sync_source(agent, source)
    return source


def add_file_source(agent: Agent, upload: FileStorage | None) -> KnowledgeSource:
    """An uploaded file as a source; NotEntitled past max_file_uploads, RejectedUpload for a bad file."""
    require_quota(agent.customer_id, "max_file_uploads")
    stored = store_upload(agent.customer_id, upload, KNOWLEDGE_KINDS, KNOWLEDGE_MAX_BYTES)
    source = KnowledgeSource(agent_id=agent.agent_id, kind="file", name=stored.original_name,
                             stored_path=stored.stored_name, content_type=stored.content_type,
                             size_bytes=stored.size_bytes, status="pending")
    db.session.add(source)
    db.session.flush()
    sync_source(agent, source)
    return source


def sync_source(agent: Agent, source: KnowledgeSource) -> None:
    """Send the source to the agent's Ultravox corpus (created on first use); the outcome lands in its status."""
    if not ultravox_client.configured():
        source.status, source.status_detail = "ready", NOT_CONFIGURED
        return
    try:
        if not agent.corpus_id:
            agent.corpus_id = ultravox_gateway.create_corpus(
                f"angelcx-agent-{agent.agent_id}", f"Knowledge of the AngelCX agent {agent.name}")
        if source.kind == "web":
            source.ultravox_source_id = ultravox_gateway.add_web_source(agent.corpus_id, source.name, source.url)
        else:
            data = (customer_folder(agent.customer_id) / Path(source.stored_path).name).read_bytes()
            source.ultravox_source_id = ultravox_gateway.add_file_source(
                agent.corpus_id, source.name, source.name, source.content_type, data)
    except ultravox_client.UltravoxError as error:
        source.status, source.status_detail = "failed", error.message
    else:
        source.status, source.status_detail = "ready", "Synced to the agent's Ultravox corpus."
    db.session.flush()


def delete_source(source: KnowledgeSource, customer_id: int) -> None:
    """Delete the source and its stored file (the corpus copy is left for Ultravox's own clean-up)."""
    if source.stored_path:
        (customer_folder(customer_id) / Path(source.stored_path).name).unlink(missing_ok=True)
    db.session.delete(source)
    db.session.flush()
