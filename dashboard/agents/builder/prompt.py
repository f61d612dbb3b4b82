"""The Prompt section: a library prompt or the customer's own, the temperature, and the effective prompt's live preview."""
from __future__ import annotations

from flask import render_template

from dashboard.agents import bp, prompt_placeholders
from dashboard.agents.builder import operations
from dashboard.agents.builder.forms import PromptForm
from dashboard.agents.builder.sections import render_builder, saved, section
from dashboard.agents.models import Agent
from dashboard.extensions import db
from dashboard.tenancy import current_customer, get_owned_or_404


def prompt_form(agent: Agent, submitted: bool = False) -> PromptForm:
    """The Prompt form: the request's data when `submitted`, else the agent's."""
    if submitted:
        return PromptForm(library=operations.prompt_library())
    return PromptForm(formdata=None, library=operations.prompt_library(),
                      data={"prompt_id": agent.prompt_id or 0, "prompt_override": agent.prompt_override,
                            "temperature": round(agent.temperature or 0, 2)})


def preview(agent: Agent, form: PromptForm) -> dict:
    """The effective prompt the form's choice gives (saved or not): own text first, else the chosen library prompt,
    with its placeholders filled in and those nothing fills listed."""
    own = (form.prompt_override.data or "").strip()
    chosen = next((p for p in form.library if p.prompt_id == form.prompt_id.data), None) if not own else None
    text = own or (chosen.content if chosen else "")
    filled = prompt_placeholders.values(current_customer.name, agent.name)
    return {"preview_parts": prompt_placeholders.parts(text, filled), "preview_length": len(prompt_placeholders.fill(text, filled)),
            "preview_source": "your own" if own else (f"from “{chosen.name}”" if chosen else ""),
            "preview_unknown": prompt_placeholders.unknown(text, filled), "placeholders": prompt_placeholders.KNOWN}


@section("prompt", "Prompt", 20)
def prompt_context(agent: Agent) -> dict:
    form = prompt_form(agent)
    return {"prompt_form": form, **preview(agent, form)}


@bp.post("/<int:agent_id>/prompt/preview")
def preview_prompt(agent_id: int):
    """The effective prompt for the form as it is now (library choice, own text), not saved: the section follows
    every change."""
    agent = get_owned_or_404(Agent, agent_id)
    form = prompt_form(agent, submitted=True)
    return render_template("agents/_prompt_preview.html", **preview(agent, form))


@bp.post("/<int:agent_id>/prompt")
def save_prompt(agent_id: int):
    agent = get_owned_or_404(Agent, agent_id)
    form = prompt_form(agent, submitted=True)
    if not form.validate_on_submit():
        return render_builder(agent, "prompt", 422, prompt_form=form, **preview(agent, form))
    operations.update_prompt(agent, form.prompt_id.data, form.prompt_override.data, form.temperature.data)
    db.session.commit()
    return saved(agent, "prompt", "Prompt saved.")
