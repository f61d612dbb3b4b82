"""The Knowledge section: add a file or a web page (within the plan's limits), delete a source."""
from __future__ import annotations

from flask import abort

from dashboard import safe_http, ultravox_client
from dashboard.agents import bp
from dashboard.agents.builder.sections import plan_access, render_builder, saved, section
from dashboard.agents.knowledge import operations as knowledge
from dashboard.agents.knowledge.forms import FileSourceForm, WebSourceForm
from dashboard.agents.knowledge.usage import knowledge_used
from dashboard.agents.models import Agent, KnowledgeSource
from dashboard.agents.uploads import RejectedUpload
from dashboard.billing.entitlements import NotEntitled
from dashboard.extensions import db
from dashboard.tenancy import get_owned_or_404


@section("knowledge", "Knowledge", 60)
def knowledge_context(agent: Agent) -> dict:
    """The sources, the two forms, and how many files and web pages the plan has left."""
    return {"sources": knowledge.sources(agent), "access": plan_access(agent.customer_id),
            "used": knowledge_used(agent.customer_id), "ultravox_configured": ultravox_client.configured(),
            "web_form": WebSourceForm(formdata=None), "file_form": FileSourceForm(formdata=None)}


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
    db.session.commit()
    return saved(agent, "knowledge", f"Added {source.name}: {source.status_detail}")


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
    db.session.commit()
    return saved(agent, "knowledge", f"Added {source.name}: {source.status_detail}")


def _source_of(agent: Agent, source_id: int) -> KnowledgeSource:
    source = get_owned_or_404(KnowledgeSource, source_id)
    if source.agent_id != agent.agent_id:
        abort(404)
    return source


@bp.post("/<int:agent_id>/knowledge/<int:source_id>/sync")
def sync_source(agent_id: int, source_id: int):
    """Try sending a source to Ultravox again (after a failure, or once Ultravox is configured)."""
    agent = get_owned_or_404(Agent, agent_id)
    source = _source_of(agent, source_id)
    knowledge.sync_source(agent, source)
    db.session.commit()
    return saved(agent, "knowledge", f"{source.name}: {source.status_detail}")


@bp.post("/<int:agent_id>/knowledge/<int:source_id>/delete")
def delete_source(agent_id: int, source_id: int):
    agent = get_owned_or_404(Agent, agent_id)
    source = _source_of(agent, source_id)
    knowledge.delete_source(source, agent.customer_id)
    db.session.commit()
    return saved(agent, "knowledge", f"Removed {source.name}.")
