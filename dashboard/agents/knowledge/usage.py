"""The knowledge meter: how many files and web pages a customer's agents hold (answers billing's measure_usage)."""
from __future__ import annotations

from sqlalchemy import case, func, select

from dashboard.agents.models import Agent, KnowledgeSource
from dashboard.extensions import db
from dashboard.signals import measure_usage


def knowledge_used(customer_id: int) -> dict[str, int]:
    """{"max_file_uploads": files, "max_web_sources": web pages} over all the customer's agents, in one query."""
    files, webs = db.session.execute(
        select(func.count(case((KnowledgeSource.kind == "file", 1))),
               func.count(case((KnowledgeSource.kind == "web", 1))))
        .join(Agent, Agent.agent_id == KnowledgeSource.agent_id).where(Agent.customer_id == customer_id)
    ).one()
    return {"max_file_uploads": files, "max_web_sources": webs}


@measure_usage.connect
def measure_knowledge(sender, customer_id: int, since=None, **_) -> dict[str, int]:
    """Sources count whenever they were added (`since` does not apply): the limits are on what is held."""
    return knowledge_used(customer_id)
