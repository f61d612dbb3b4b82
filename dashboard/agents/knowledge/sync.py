"""The knowledge sync job: sends one source to its agent's Ultravox corpus, with no transaction open meanwhile."""
from __future__ import annotations

from dataclasses import dataclass

from dashboard import ultravox_client
from dashboard.agents import ultravox_gateway
from dashboard.agents.models import Agent, KnowledgeSource
from dashboard.agents.uploads import upload_key
from dashboard.extensions import db
from dashboard.storage import storage

NOT_CONFIGURED = "Stored here; not synced because Ultravox is not configured."
SYNCED = "Synced to the agent's Ultravox corpus."


@dataclass(frozen=True)
class Outgoing:
    """What the Ultravox calls need, copied from the rows so nothing is read from the database meanwhile."""

    agent_id: int
    agent_name: str
    customer_id: int
    corpus_id: str | None
    kind: str
    name: str
    url: str | None
    stored_path: str | None
    content_type: str | None


def sync_source(source_id: int) -> None:
    """The job (recorded with the source's row): pending → syncing → ready, failed or skipped."""
    source = db.session.get(KnowledgeSource, source_id)
    if source is None:
        return  # removed before the job ran
    if not ultravox_client.configured():
        _finish(source_id, "skipped", NOT_CONFIGURED)
        return
    agent = db.session.get(Agent, source.agent_id)
    outgoing = Outgoing(agent.agent_id, agent.name, agent.customer_id, agent.corpus_id, source.kind, source.name,
                        source.url, source.stored_path, source.content_type)
    source.status, source.status_detail = "syncing", "Sending to Ultravox…"
    db.session.commit()  # the status is visible, and no transaction stays open while Ultravox answers
    corpus_id = outgoing.corpus_id
    try:
        if not corpus_id:
            corpus_id = ultravox_gateway.create_corpus(
                f"angelcx-agent-{outgoing.agent_id}", f"Knowledge of the AngelCX agent {outgoing.agent_name}")
        remote_id = _send(outgoing, corpus_id)
    except ultravox_client.UltravoxError as error:
        _finish(source_id, "failed", error.message, corpus_id)
    except OSError:
        _finish(source_id, "failed", "The uploaded file could not be read here; remove it and upload it again.",
                corpus_id)
    else:
        _finish(source_id, "ready", SYNCED, corpus_id, remote_id)


def _send(outgoing: Outgoing, corpus_id: str) -> str:
    if outgoing.kind == "web":
        return ultravox_gateway.add_web_source(corpus_id, outgoing.name, outgoing.url)
    data = storage().read(upload_key(outgoing.customer_id, outgoing.stored_path))
    return ultravox_gateway.add_file_source(corpus_id, outgoing.name, outgoing.name, outgoing.content_type, data)


def _finish(source_id: int, status: str, detail: str, corpus_id: str | None = None,
            remote_id: str | None = None) -> None:
    """Store the outcome; a corpus created on the way becomes the agent's (unless one was set meanwhile)."""
    source = db.session.get(KnowledgeSource, source_id)
    if source is None:
        db.session.rollback()
        return  # removed while Ultravox was answering
    source.status, source.status_detail = status, detail
    if remote_id:
        source.ultravox_source_id = remote_id
    agent = db.session.get(Agent, source.agent_id)
    if corpus_id and not agent.corpus_id:
        agent.corpus_id = corpus_id
    db.session.commit()
