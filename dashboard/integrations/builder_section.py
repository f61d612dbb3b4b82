"""The Integrations section of the agent builder: the app catalog and this agent's connections."""
from __future__ import annotations

from dashboard.agents.builder.sections import Section
from dashboard.agents.models import Agent
from dashboard.integrations.operations import catalog_for_agent
from dashboard.signals import builder_sections


def integrations_context(agent: Agent) -> dict:
    return {"integrations": catalog_for_agent(agent.agent_id)}


SECTION = Section("integrations", "Integrations", 70, integrations_context, "agents/_integrations.html")


@builder_sections.connect
def integrations_section(sender, agent: Agent, **_) -> Section:
    """Added to every agent's page, between Knowledge and Embed."""
    return SECTION
