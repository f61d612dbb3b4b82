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
