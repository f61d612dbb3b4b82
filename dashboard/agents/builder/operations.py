"""Agents themselves: creating, listing, their details and prompt, deleting (plain functions)."""
from __future__ import annotations

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from dashboard.agents.models import Agent, CustomTool, KnowledgeSource, Prompt
from dashboard.agents.uploads import discard_uploads, upload_key
from dashboard.agents.widget.avatars import release_avatar
from dashboard.auth import audit
from dashboard.extensions import db
from dashboard.pagination import KeysetPage, keyset_page


def delete_agent(agent: Agent) -> None:
    """Delete an agent.

    Its custom tools, knowledge sources, email templates and connections go with it (ON DELETE
    CASCADE); its conversations, their messages and analyses, and the email log are history and
    usage the customer is billed for, so they stay, with `agent_id` set to NULL.
    """
    stored = db.session.scalars(select(KnowledgeSource.stored_path).where(
        KnowledgeSource.agent_id == agent.agent_id, KnowledgeSource.stored_path.is_not(None))).all()
    avatar_url = (agent.ui_config or {}).get("avatar_url")
    audit.record(agent.customer_id, "agent.deleted", f"agent {agent.name} #{agent.agent_id}",
                 {"name": [agent.name, None]})
    db.session.execute(db.delete(Agent).where(Agent.agent_id == agent.agent_id))
    db.session.expunge(agent)
    # The rows go by ON DELETE CASCADE; the uploaded files they named go here.
    discard_uploads([upload_key(agent.customer_id, name) for name in stored])
    release_avatar(agent.customer_id, avatar_url)


def create_agent(customer_id: int, name: str, description: str | None = None, prompt_id: int | None = None,
                 **fields) -> Agent:
    """A new agent for the customer; starts with the library's default prompt when none is given.

    Callers check the plan first (billing.entitlements.require): creating agents needs an active plan.
    """
    if prompt_id is None:
        prompt_id = db.session.scalar(select(Prompt.prompt_id).where(Prompt.is_default.is_(True)))
    fields.setdefault("ui_config", {"bot_name": name, "color": "#4b3fd6", "position": "bottom-right",
                                    "greeting": "Hi! How can I help?", "launcher_text": "Chat with us"})
    agent = Agent(customer_id=customer_id, name=name.strip(), description=description, prompt_id=prompt_id, **fields)
    db.session.add(agent)
    db.session.flush()
    return agent


PAGE_SIZE = 24


def list_agents(customer_id: int, search: str = "", cursor: str | None = None, limit: int = PAGE_SIZE) -> KeysetPage:
    """The customer's agents (newest first, keyset by id) with their tool counts, in one query."""
    tool_count = (select(func.count(CustomTool.custom_tool_id)).where(CustomTool.agent_id == Agent.agent_id)
                  .correlate(Agent).scalar_subquery())
    query = select(Agent, tool_count).where(Agent.customer_id == customer_id).options(selectinload(Agent.prompt))
    if search:
        pattern = f"%{search.strip()}%"
        query = query.where(or_(Agent.name.ilike(pattern), Agent.description.ilike(pattern)))
    return keyset_page(query, (Agent.agent_id,), cursor, limit)


def update_details(agent: Agent, name: str, description: str | None, brand_info: str | None) -> None:
    agent.name, agent.description, agent.brand_info = name.strip(), description or None, brand_info or None
    db.session.flush()


def prompt_library() -> list[Prompt]:
    """The prompts customers pick from: those in a template (an app's prompt, which has none, is added by the app)."""
    return list(db.session.scalars(select(Prompt).options(selectinload(Prompt.template))
                                   .where(Prompt.prompt_template_id.is_not(None))
                                   .order_by(Prompt.prompt_template_id, Prompt.name)))


def update_prompt(agent: Agent, prompt_id: int | None, prompt_override: str | None, temperature) -> None:
    agent.prompt_id = prompt_id or None
    agent.prompt_override = (prompt_override or "").strip() or None
    agent.temperature = float(temperature)
    db.session.flush()

