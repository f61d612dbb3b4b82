"""The agent page: every section's form and data, rendered whole or as the one section HTMX asked for."""
from __future__ import annotations

import json

from flask import render_template, request, url_for

from dashboard import ultravox_client
from dashboard.agents import knowledge, operations, voice_catalog
from dashboard.agents.forms import AgentForm, FileSourceForm, PromptForm, VoiceForm, WebSourceForm, WidgetForm
from dashboard.agents.models import Agent
from dashboard.agents.plan_gates import lock_reasons
from dashboard.agents.ultravox_compile import compile_call
from dashboard.agents.widget import contrast_text, with_defaults
from dashboard.agents.widget_public import effective_widget, widget_token
from dashboard.billing.entitlements import entitlements, usage
from dashboard.extensions import htmx
from dashboard.integrations.operations import catalog_for_agent
from dashboard.tenancy import current_customer

SECTIONS = (("details", "Details"), ("prompt", "Prompt"), ("voice", "Voice"), ("widget", "Widget"),
            ("tools", "Tools"), ("knowledge", "Knowledge"), ("integrations", "Integrations"), ("embed", "Embed"))


def prompt_form(agent: Agent, submitted: bool = False) -> PromptForm:
    """The Prompt form: the request's data when `submitted`, else the agent's."""
    if submitted:
        return PromptForm(library=operations.prompt_library())
    return PromptForm(formdata=None, library=operations.prompt_library(), data={"prompt_id": agent.prompt_id or 0, "prompt_override": agent.prompt_override,
                            "temperature": round(agent.temperature or 0, 2)})


def widget_form(agent: Agent) -> WidgetForm:
    return WidgetForm(formdata=None, data=with_defaults(agent.ui_config))


def voice_context(agent: Agent, language: str = "", provider: str = "") -> dict:
    voices, notice = voice_catalog.catalog()
    languages, providers = voice_catalog.facets(voices)
    return {"voices": voice_catalog.filter_voices(voices, language, provider), "voice_notice": notice,
            "languages": languages, "providers": providers, "language": language, "provider": provider,
            "current_voice": voice_catalog.find(voices, agent.voice or "")}


def embed_snippet(agent: Agent) -> str:
    """The tag a customer pastes into its site: the widget script and the agent's signed public token."""
    script = url_for("static", filename="js/widget.js", _external=True)
    return f'<script src="{script}" data-agent="{widget_token(agent)}" async></script>'


def builder_context(agent: Agent, **overrides) -> dict:
    access = entitlements(agent.customer_id)
    context = {
        "agent": agent, "sections": SECTIONS, "locks": lock_reasons(agent.customer_id),
        "details_form": AgentForm(formdata=None, obj=agent),
        "prompt_form": prompt_form(agent),
        "voice_form": VoiceForm(formdata=None, data={"voice": agent.voice}),
        "widget_form": widget_form(agent), "widget": effective_widget(agent), "contrast_text": contrast_text,
        "web_form": WebSourceForm(formdata=None), "file_form": FileSourceForm(formdata=None),
        "sources": knowledge.sources(agent), "usage": usage(agent.customer_id), "access": access,
        "integrations": catalog_for_agent(agent.agent_id),
        "call_json": json.dumps(compile_call(agent, current_customer.name), indent=2), "snippet": embed_snippet(agent),
        "ultravox_configured": ultravox_client.configured(),
    }
    context.update(voice_context(agent, request.args.get("language", ""), request.args.get("provider", "")))
    context.update(overrides)
    return context


def render_builder(agent: Agent, section: str | None = None, status: int = 200, **overrides):
    """The section's fragment for HTMX, else the whole page (e.g. a plain form post with errors)."""
    context = builder_context(agent, **overrides)
    if section and htmx:
        return render_template(f"agents/_{section}.html", **context), status
    return render_template("agents/show.html", **context), status
