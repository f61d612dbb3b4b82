"""The Voice section: the catalog filtered by language and provider, choosing a voice, and proxied previews."""
from __future__ import annotations

from flask import Response, abort

from dashboard import ultravox_client
from dashboard.agents import bp, operations, voice_catalog
from dashboard.agents.forms import VoiceForm
from dashboard.agents.models import Agent
from dashboard.agents.pages import render_builder
from dashboard.agents.routes import saved
from dashboard.billing.entitlements import NotEntitled
from dashboard.extensions import db
from dashboard.tenancy import get_owned_or_404


@bp.get("/<int:agent_id>/voices")
def voices(agent_id: int):
    """The voice list for the chosen filters (HTMX swaps it in; a plain load shows the whole page)."""
    agent = get_owned_or_404(Agent, agent_id)
    return render_builder(agent, "voice")


@bp.post("/<int:agent_id>/voice")
def save_voice(agent_id: int):
    agent = get_owned_or_404(Agent, agent_id)
    form = VoiceForm()
    if form.validate_on_submit():
        voices_, _ = voice_catalog.catalog()
        if voice_catalog.find(voices_, form.voice.data) is None:
            form.voice.errors.append("Choose a voice from the list.")
        else:
            try:
                operations.update_voice(agent, form.voice.data)
            except NotEntitled as refused:
                form.voice.errors.append(refused.message)
                return render_builder(agent, "voice", 403, voice_form=form)
            db.session.commit()
            return saved(agent, "voice", f"Voice set to {agent.voice}.")
    return render_builder(agent, "voice", 422, voice_form=form)


@bp.get("/voices/<voice_id>/preview")
def voice_preview(voice_id: str):
    """A voice's audio sample, fetched with our key on the server so it never reaches the browser."""
    if not ultravox_client.configured():
        abort(404, "Voice previews need Ultravox (ULTRAVOX_API_KEY).")
    voices_, _ = voice_catalog.catalog()
    if not any(v.voice_id == voice_id for v in voices_):
        abort(404)
    from dashboard.agents.ultravox_gateway import voice_preview as fetch_preview

    try:
        audio, content_type = fetch_preview(voice_id)
    except ultravox_client.UltravoxError as error:
        abort(502, error.message)
    return Response(audio, content_type=content_type, headers={"Cache-Control": "private, max-age=3600"})
