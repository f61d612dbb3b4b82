"""The Voice section: the catalog filtered by language and provider, choosing a voice, and proxied previews."""
from __future__ import annotations

from flask import Response, abort, request

from dashboard import ultravox_client
from dashboard.agents import bp
from dashboard.agents.builder.sections import lock_reasons, render_builder, saved, section
from dashboard.agents.models import Agent
from dashboard.agents.voice import catalog as voice_catalog
from dashboard.agents.voice.forms import VoiceForm
from dashboard.billing.entitlements import NotEntitled
from dashboard.extensions import db
from dashboard.tenancy import get_owned_or_404


@section("voice", "Voice", 30)
def voice_context(agent: Agent) -> dict:
    """The catalog narrowed by the request's language and provider filters, and the plan's lock."""
    language, provider = request.args.get("language", ""), request.args.get("provider", "")
    voices, notice = voice_catalog.catalog()
    languages, providers = voice_catalog.facets(voices)
    return {"voices": voice_catalog.filter_voices(voices, language, provider), "voice_notice": notice,
            "languages": languages, "providers": providers, "language": language, "provider": provider,
            "current_voice": voice_catalog.find(voices, agent.voice or ""), "locks": lock_reasons(agent.customer_id),
            "voice_form": VoiceForm(formdata=None, data={"voice": agent.voice}),
            "provider_label": voice_catalog.provider_label}


@bp.get("/<int:agent_id>/voices")
def voices(agent_id: int):
    """The voice list for the chosen filters (HTMX swaps it in; a plain load shows the whole page)."""
    agent = get_owned_or_404(Agent, agent_id)
    return render_builder(agent, "voice")


@bp.post("/<int:agent_id>/voice")
def save_voice(agent_id: int):
    agent = get_owned_or_404(Agent, agent_id)
    form = VoiceForm()
    if not form.validate_on_submit():
        return render_builder(agent, "voice", 422, voice_form=form)
    try:
        voice_catalog.update_voice(agent, form.voice.data)
    except (voice_catalog.UnknownVoice, NotEntitled) as refused:
        form.voice.errors.append(refused.message)
        return render_builder(agent, "voice", 403 if isinstance(refused, NotEntitled) else 422, voice_form=form)
    db.session.commit()
    return saved(agent, "voice", f"Voice set to {agent.voice}.")


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
    return Response(audio, content_type=content_type,
                    headers={"Cache-Control": "private, max-age=3600", "X-Content-Type-Options": "nosniff"})
