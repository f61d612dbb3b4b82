"""The Knowledge section: add a file or a web page (within the plan's limits), sync, delete, and the polled list."""
from __future__ import annotations

from flask import abort, render_template

from dashboard import jobs, safe_http, ultravox_client
from dashboard.agents import bp
from dashboard.agents.builder.sections import plan_access, render_builder, saved, section
from dashboard.agents.knowledge import operations as knowledge
from dashboard.agents.knowledge.forms import FileSourceForm, WebSourceForm
from dashboard.agents.knowledge.sync import sync_source as sync_job
from dashboard.agents.knowledge.usage import knowledge_used
from dashboard.agents.models import Agent, KnowledgeSource
from dashboard.agents.uploads import RejectedUpload
from dashboard.billing.entitlements import NotEntitled
from dashboard.extensions import db
from dashboard.fragments import wants_fragment
from dashboard.tenancy import get_owned_or_404


def sources_context(agent: Agent) -> dict:
    listed = knowledge.sources(agent)
    return {"sources": listed, "polling": knowledge.in_progress(listed),
            "ultravox_configured": ultravox_client.configured()}


@section("knowledge", "Knowledge", 60)
def knowledge_context(agent: Agent) -> dict:
    """The sources, the two forms, and how many files and web pages the plan has left."""
    return {**sources_context(agent), "access": plan_access(agent.customer_id),
            "used": knowledge_used(agent.customer_id),
            "web_form": WebSourceForm(formdata=None), "file_form": FileSourceForm(formdata=None)}


def _synced_later(agent: Agent, source: KnowledgeSource, message: str):
    """Commit the source as pending with its sync job, then hand the job over (inline without Redis)."""
    db.session.flush()
    jobs.defer(sync_job, source.knowledge_source_id)
    db.session.commit()
    jobs.dispatch_pending()
    return saved(agent, "knowledge", f"{message}: {source.status_detail}")


@bp.post("/<int:agent_id>/knowledge/web")
def add_web_source(agent_id: int):
    agent = get_owned_or_404(Agent, agent_id)
    form = WebSourceForm()
    if not form.validate_on_submit():
        return render_builder(agent, "knowledge", 422, web_form=form)
    try:
        source = knowledge.add_web_source(agent, form.url.data.strip(), form.name.data)
    except (NotEntitled, safe_http.UnsafeURL) as refused:
        db.session.rollback()
        form.url.errors.append(refused.message)
        return render_builder(agent, "knowledge", 403 if isinstance(refused, NotEntitled) else 422, web_form=form)
    return _synced_later(agent, source, f"Added {source.name}")


@bp.post("/<int:agent_id>/knowledge/file")
def add_file_source(agent_id: int):
    agent = get_owned_or_404(Agent, agent_id)
    form = FileSourceForm()
    if not form.validate_on_submit():
        return render_builder(agent, "knowledge", 422, file_form=form)
    try:
        source = knowledge.add_file_source(agent, form.file.data)
    except (NotEntitled, RejectedUpload) as refused:
        db.session.rollback()
        form.file.errors = [refused.message]
        return render_builder(agent, "knowledge", 403 if isinstance(refused, NotEntitled) else 422, file_form=form)
    return _synced_later(agent, source, f"Added {source.name}")


@bp.get("/<int:agent_id>/knowledge/sources")
def knowledge_sources(agent_id: int):
    """The source list alone: HTMX polls it every 2 s while a source is pending or syncing."""
    agent = get_owned_or_404(Agent, agent_id)
    if wants_fragment():
        return render_template("agents/_knowledge_sources.html", agent=agent, **sources_context(agent))
    return render_builder(agent)


def _source_of(agent: Agent, source_id: int) -> KnowledgeSource:
    source = get_owned_or_404(KnowledgeSource, source_id)
    if source.agent_id != agent.agent_id:
        abort(404)
    return source


@bp.post("/<int:agent_id>/knowledge/<int:source_id>/sync")
def sync_source(agent_id: int, source_id: int):
    """Send a source to Ultravox again (after a failure, or once Ultravox is configured)."""
    agent = get_owned_or_404(Agent, agent_id)
    source = _source_of(agent, source_id)
    knowledge.mark_for_sync(source)
    return _synced_later(agent, source, source.name)


@bp.post("/<int:agent_id>/knowledge/<int:source_id>/delete")
def delete_source(agent_id: int, source_id: int):
    agent = get_owned_or_404(Agent, agent_id)
    source = _source_of(agent, source_id)
    knowledge.delete_source(source, agent.customer_id)
    db.session.commit()
    return saved(agent, "knowledge", f"Removed {source.name}.")
