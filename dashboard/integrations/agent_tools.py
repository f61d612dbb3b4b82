"""What a connected app adds to its agent: the app's prompt and its actions as tools on our tool endpoint."""
from __future__ import annotations

from flask import current_app, has_request_context, url_for
from sqlalchemy import select

from dashboard.agents.extensions import HIDDEN, Extension
from dashboard.agents.models import Agent
from dashboard.extensions import db
from dashboard.integrations.actions import ACTIONS
from dashboard.integrations.models import ThirdPartyOAuth
from dashboard.integrations.tool_endpoint import TOOL_SECRET_HEADER, tool_secret
from dashboard.signals import agent_extensions


def connected(agent_id: int) -> list[ThirdPartyOAuth]:
    """The agent's usable connections (a connection needing reconnecting adds nothing), with app and prompt."""
    return list(db.session.scalars(select(ThirdPartyOAuth).where(ThirdPartyOAuth.agent_id == agent_id,
                                                                  ThirdPartyOAuth.status == "connected")
                                   .order_by(ThirdPartyOAuth.third_party_oauth_id)).unique())


def _tool_url(connection_id: int, action_name: str) -> str:
    """Absolute (this server as the request reached it) within a request; a path on this server otherwise."""
    values = {"connection_id": connection_id, "action_name": action_name}
    if has_request_context():
        return url_for("integrations.call_action", _external=True, **values)
    return current_app.url_map.bind("localhost").build("integrations.call_action", values)


def extension_of(connection: ThirdPartyOAuth, reveal_secrets: bool) -> Extension:
    app = connection.app
    secret = tool_secret(connection) if reveal_secrets else HIDDEN
    tools = []
    for name in app.actions or []:
        action = ACTIONS.get(app.slug, {}).get(name)
        if action is None:
            continue
        tools.append({"name": name, "description": action.description, "method": "POST",
                      "url": _tool_url(connection.third_party_oauth_id, name),
                      "parameters": [p.as_dict() for p in action.parameters],
                      "headers": {TOOL_SECRET_HEADER: secret}})
    return Extension(source=app.name, prompt=app.prompt.content if app.prompt else None, tools=tools)


@agent_extensions.connect
def app_extensions(sender, agent: Agent, reveal_secrets: bool = True, **_) -> list[Extension]:
    return [extension_of(connection, reveal_secrets) for connection in connected(agent.agent_id)]
