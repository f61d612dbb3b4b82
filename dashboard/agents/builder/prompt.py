"""The Prompt section: a library prompt or the customer's own, and the temperature."""
from __future__ import annotations

from dashboard.agents import bp
from dashboard.agents.builder import operations
from dashboard.agents.builder.forms import PromptForm
from dashboard.agents.builder.sections import render_builder, saved, section
from dashboard.agents.models import Agent
from dashboard.extensions import db
from dashboard.tenancy import get_owned_or_404


def prompt_form(agent: Agent, submitted: bool = False) -> PromptForm:
    """The Prompt form: the request's data when `submitted`, else the agent's."""
    if submitted:
        return PromptForm(library=operations.prompt_library())
    return PromptForm(formdata=None, library=operations.prompt_library(),
                      data={"prompt_id": agent.prompt_id or 0, "prompt_override": agent.prompt_override,
                            "temperature": round(agent.temperature or 0, 2)})


@section("prompt", "Prompt", 20)
def prompt_context(agent: Agent) -> dict:
    return {"prompt_form": prompt_form(agent)}


@bp.post("/<int:agent_id>/prompt")
def save_prompt(agent_id: int):
    agent = get_owned_or_404(Agent, agent_id)
    form = prompt_form(agent, submitted=True)
    if not form.validate_on_submit():
        return render_builder(agent, "prompt", 422, prompt_form=form)
    operations.update_prompt(agent, form.prompt_id.data, form.prompt_override.data, form.temperature.data)
    db.session.commit()
    return saved(agent, "prompt", "Prompt saved.")
