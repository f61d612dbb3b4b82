"""The Prompt section: a library prompt or the customer's own, and the temperature."""
from __future__ import annotations

from dashboard.agents import bp, operations
from dashboard.agents.models import Agent
from dashboard.agents.pages import prompt_form, render_builder
from dashboard.agents.routes import saved
from dashboard.extensions import db
from dashboard.tenancy import get_owned_or_404


@bp.post("/<int:agent_id>/prompt")
def save_prompt(agent_id: int):
    agent = get_owned_or_404(Agent, agent_id)
    form = prompt_form(agent, submitted=True)
    if not form.validate_on_submit():
        return render_builder(agent, "prompt", 422, prompt_form=form)
    operations.update_prompt(agent, form.prompt_id.data, form.prompt_override.data, form.temperature.data)
    db.session.commit()
    return saved(agent, "prompt", "Prompt saved.")
