"""The third-party app catalog, with which of the customer's agents are connected to each app."""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import select

from dashboard.agents.models import Agent
from dashboard.extensions import db
from dashboard.integrations.models import ThirdPartyApp, ThirdPartyOAuth


def _catalog() -> list[ThirdPartyApp]:
    """Every app, available ones first."""
    return db.session.scalars(select(ThirdPartyApp).order_by(ThirdPartyApp.is_coming_soon, ThirdPartyApp.name)).all()


def catalog_for_agent(agent_id: int) -> list[tuple[ThirdPartyApp, bool]]:
    """The catalog and whether this agent is connected to each app."""
    connected = set(db.session.scalars(select(ThirdPartyOAuth.third_party_app_id)
                                       .where(ThirdPartyOAuth.agent_id == agent_id)))
    return [(app, app.third_party_app_id in connected) for app in _catalog()]


def catalog_with_connections(customer_id: int) -> list[tuple[ThirdPartyApp, list[str]]]:
    """Every app (available first, then coming soon) and the names of the customer's agents connected to it."""
    apps = _catalog()
    connected: dict[int, list[str]] = defaultdict(list)
    rows = db.session.execute(
        select(ThirdPartyOAuth.third_party_app_id, Agent.name)
        .join(Agent, Agent.agent_id == ThirdPartyOAuth.agent_id)
        .where(Agent.customer_id == customer_id).order_by(Agent.name)
    )
    for app_id, agent_name in rows:
        connected[app_id].append(agent_name)
    return [(app, connected[app.third_party_app_id]) for app in apps]
