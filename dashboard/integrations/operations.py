"""The app catalog as the pages show it: each app's status for an agent or for the customer's agents."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select

from dashboard.agents.models import Agent
from dashboard.extensions import db
from dashboard.integrations import oauth_client
from dashboard.integrations.actions import ACTIONS
from dashboard.integrations.models import ThirdPartyApp, ThirdPartyOAuth

STATUS_LABELS = {"not_configured": "Not configured on this server", "available": "Available",
                 "connected": "Connected", "needs_reconnect": "Needs reconnecting", "coming_soon": "Coming soon"}


def _catalog() -> list[ThirdPartyApp]:
    """Every app, available ones first (retired ones too: callers show them only where still connected)."""
    return list(db.session.scalars(select(ThirdPartyApp)
                                   .order_by(ThirdPartyApp.is_coming_soon, ThirdPartyApp.name)).unique())


def app_status(app: ThirdPartyApp) -> str:
    """The app's status before any connection: coming_soon, not_configured or available."""
    if app.is_coming_soon or not app.oauth:
        return "coming_soon"
    return "available" if oauth_client.credentials(app) is not None else "not_configured"


def account_label(connection: ThirdPartyOAuth) -> str:
    account = (connection.additional_data or {}).get("account") or {}
    label = account.get("email") or account.get("name") or account.get("id") or ""
    channel = ((connection.additional_data or {}).get("slack") or {}).get("channel")
    return f"{label} ({channel})" if label and channel else label


def adds(app: ThirdPartyApp) -> list[str]:
    """What the app adds to a connected agent, for people: its actions' summaries."""
    return [ACTIONS[app.slug][name].summary for name in app.actions or [] if name in ACTIONS.get(app.slug, {})]


@dataclass
class AppForAgent:
    app: ThirdPartyApp
    status: str
    account: str = ""
    actions: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]


def catalog_for_agent(agent_id: int) -> list[AppForAgent]:
    """Each app's status for this agent; retired apps only while the agent is still connected to them."""
    connections = {c.third_party_app_id: c for c in db.session.scalars(
        select(ThirdPartyOAuth).where(ThirdPartyOAuth.agent_id == agent_id)).unique()}
    shown = []
    for app in _catalog():
        connection = connections.get(app.third_party_app_id)
        if connection is not None:
            shown.append(AppForAgent(app, "connected" if connection.status == "connected" else "needs_reconnect",
                                     account_label(connection), adds(app)))
        elif not app.is_retired:
            shown.append(AppForAgent(app, app_status(app), actions=adds(app)))
    return shown


@dataclass
class AppForCustomer:
    app: ThirdPartyApp
    status: str
    connections: list[tuple[Agent, str, str]]  # agent, status, account
    actions: list[str]

    @property
    def label(self) -> str:
        return STATUS_LABELS[self.status]


def catalog_with_connections(customer_id: int) -> tuple[list[AppForCustomer], list[Agent]]:
    """Every app with the customer's agents connected to it (in one query), and the agents to connect."""
    connected: dict[int, list] = defaultdict(list)
    rows = db.session.execute(
        select(ThirdPartyOAuth, Agent)
        .join(Agent, Agent.agent_id == ThirdPartyOAuth.agent_id)
        .where(Agent.customer_id == customer_id).order_by(Agent.name)
    ).unique()
    for connection, agent in rows:
        connected[connection.third_party_app_id].append(
            (agent, "connected" if connection.status == "connected" else "needs_reconnect", account_label(connection)))
    apps = [AppForCustomer(app, app_status(app), connected[app.third_party_app_id], adds(app))
            for app in _catalog() if not app.is_retired or connected[app.third_party_app_id]]
    agents = list(db.session.scalars(select(Agent).where(Agent.customer_id == customer_id).order_by(Agent.name)))
    return apps, agents
