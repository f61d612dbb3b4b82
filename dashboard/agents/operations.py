"""The agent domain's logic: plain functions taking explicit arguments."""
from __future__ import annotations

from dashboard.agents.models import Agent
from dashboard.extensions import db


def delete_agent(agent: Agent) -> None:
    """Delete an agent.

    Its custom tools, knowledge sources, email templates and connections go with it (ON DELETE
    CASCADE); its conversations, their messages and analyses, and the email log are history and
    usage the customer is billed for, so they stay, with `agent_id` set to NULL.
    """
    db.session.execute(db.delete(Agent).where(Agent.agent_id == agent.agent_id))
    db.session.expunge(agent)


def create_agent(customer_id: int, name: str, description: str | None = None, prompt_id: int | None = None,
                 **fields) -> Agent:
    """A new agent for the customer; starts with the library's default prompt when none is given.

    Callers check the plan first (billing.entitlements.require): creating agents needs an active plan.
    """
    if prompt_id is None:
        from dashboard.demo.catalog import default_prompt

        prompt = default_prompt()
        prompt_id = prompt.prompt_id if prompt else None
    fields.setdefault("ui_config", {"bot_name": name, "color": "#4b3fd6", "position": "bottom-right",
                                    "greeting": "Hi! How can I help?", "launcher_text": "Chat with us"})
    agent = Agent(customer_id=customer_id, name=name.strip(), description=description, prompt_id=prompt_id, **fields)
    db.session.add(agent)
    db.session.flush()
    return agent
