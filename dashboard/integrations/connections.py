"""Connecting an agent to an app (OAuth code flow), and disconnecting it.

The flow: `begin` keeps, in the signed-in browser's session, a fresh state bound to the customer, the sign-in,
the agent and the app (Authlib keeps the PKCE verifier beside it) and redirects to the provider; `complete`
takes that state back exactly once, exchanges the code, checks the granted scopes, reads the account, and only
then writes the connection. Each refusal raises ConnectRefused with a message and writes nothing.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

from flask import session
from sqlalchemy import select

from dashboard.agents.models import Agent
from dashboard.billing.entitlements import NotEntitled, require
from dashboard.extensions import db
from dashboard.integrations import oauth_client
from dashboard.integrations.models import ThirdPartyApp, ThirdPartyOAuth
from dashboard.integrations.tokens import seal, unseal

PENDING_KEY = "integration_oauth_pending"
MAX_PENDING = 5  # connect attempts in flight per browser; older ones are forgotten


class ConnectRefused(Exception):
    """Nothing was connected; `message` says why, `agent_id` is where to go back to (None: the Integrations page)."""

    def __init__(self, message: str, agent_id: int | None = None):
        super().__init__(message)
        self.message, self.agent_id = message, agent_id


def available_app(slug: str) -> ThirdPartyApp | None:
    return db.session.scalars(select(ThirdPartyApp).where(ThirdPartyApp.slug == slug)).first()


def why_not_connectable(app: ThirdPartyApp, customer_id: int) -> str | None:
    """Why the customer cannot connect `app` now, or None."""
    if app.is_retired:
        return f"{app.name} is no longer offered."
    if app.is_coming_soon or not app.oauth:
        return f"{app.name} is coming soon."
    if oauth_client.credentials(app) is None:
        return f"{app.name} is not configured on this server."
    try:
        require(customer_id, "connect_apps")
    except NotEntitled as refused:
        return refused.message
    return None


def _sign_in_binding() -> str:
    """A hash of this browser's sign-in token: a state made in one sign-in is refused in another."""
    from dashboard.auth.sessions import TOKEN_KEY

    return hashlib.sha256(str(session.get(TOKEN_KEY) or "").encode()).hexdigest()[:32]


def begin(agent: Agent, app: ThirdPartyApp, redirect_uri: str):
    """The redirect to the provider, with a state bound to this sign-in, the agent and the app."""
    state = secrets.token_urlsafe(32)
    pending = dict(session.get(PENDING_KEY) or {})
    while len(pending) >= MAX_PENDING:
        pending.pop(next(iter(pending)))
    pending[state] = {"agent_id": agent.agent_id, "slug": app.slug, "customer_id": agent.customer_id,
                      "sign_in": _sign_in_binding(), "at": datetime.now(UTC).timestamp()}
    session[PENDING_KEY] = pending
    db.session.commit()  # no transaction stays open (begin only builds a URL, but keep the rule simple)
    return oauth_client.authorize_redirect(app, redirect_uri, state)


@dataclass
class Connected:
    agent_id: int
    app_name: str
    account_label: str


def _take_pending(state: str | None) -> dict | None:
    pending = dict(session.get(PENDING_KEY) or {})
    found = pending.pop(state, None) if state else None
    session[PENDING_KEY] = pending
    return found


def complete(args, customer_id: int) -> Connected:
    """Finish the flow from the callback's query `args`; ConnectRefused (nothing written) otherwise."""
    state = args.get("state")
    pending = _take_pending(state)
    if pending is None:
        if not state:
            raise ConnectRefused("The app's answer had no state, so it cannot be trusted. Nothing was connected.")
        raise ConnectRefused("This connection link is not valid here or was already used. Nothing was connected; "
                             "please connect again.")
    agent_id, app = pending["agent_id"], available_app(pending["slug"])
    state_data = oauth_client.take_state_data(app, state) if app is not None and app.oauth and \
        oauth_client.credentials(app) else None
    if pending["customer_id"] != customer_id or pending["sign_in"] != _sign_in_binding():
        raise ConnectRefused("This connection was started in another sign-in. Nothing was connected.")
    agent = db.session.scalars(select(Agent).where(Agent.agent_id == agent_id,
                                                   Agent.customer_id == customer_id)).first()
    if agent is None or app is None:
        raise ConnectRefused("That agent or app no longer exists. Nothing was connected.")
    if args.get("error"):
        if args["error"] == "access_denied":
            raise ConnectRefused(f"You did not allow {app.name} access, so nothing was connected.", agent_id)
        raise ConnectRefused(f"{app.name} refused the connection ({args['error'][:60]}). Nothing was connected.",
                             agent_id)
    reason = why_not_connectable(app, customer_id)
    if reason:
        raise ConnectRefused(reason, agent_id)
    if state_data is None:
        raise ConnectRefused("This connection link expired or was already used. Nothing was connected; "
                             "please connect again.", agent_id)
    code = args.get("code")
    if not code:
        raise ConnectRefused(f"{app.name} answered without an authorization code. Nothing was connected.", agent_id)
    db.session.commit()  # the provider is called next: no transaction stays open meanwhile
    try:
        token = oauth_client.exchange_code(app, state_data, code)
        missing = oauth_client.missing_scopes(app, token)
        if missing:
            _revoke_quietly(app, token)
            raise ConnectRefused(f"{app.name} granted less than it needs (missing: {', '.join(missing)}). "
                                 "Nothing was connected; connect again and allow every permission.", agent_id)
        account = oauth_client.account(app, token)
    except (oauth_client.ProviderRefused, oauth_client.ProviderUnreachable) as failed:
        raise ConnectRefused(f"{failed.message} Nothing was connected.", agent_id) from None
    _store(agent, app, token, account)
    db.session.commit()
    return Connected(agent_id, app.name, account.get("email") or account.get("name") or account.get("id") or "")


def _revoke_quietly(app: ThirdPartyApp, token: dict) -> None:
    if app.oauth.get("revoke_url"):
        try:
            oauth_client.revoke(app, token.get("refresh_token") or token["access_token"],
                                "refresh_token" if token.get("refresh_token") else "access_token")
        except (oauth_client.ProviderRefused, oauth_client.ProviderUnreachable):
            pass  # nothing is stored either way; the provider's token expires on its own


def expiry_of(token: dict) -> datetime | None:
    expires_at = token.get("expires_at")
    return datetime.fromtimestamp(int(expires_at), UTC) if expires_at else None


def _store(agent: Agent, app: ThirdPartyApp, token: dict, account: dict) -> ThirdPartyOAuth:
    """Create or replace (a reconnect) the agent's connection to the app."""
    connection = db.session.scalars(select(ThirdPartyOAuth).where(
        ThirdPartyOAuth.agent_id == agent.agent_id, ThirdPartyOAuth.third_party_app_id == app.third_party_app_id
    ).with_for_update(of=ThirdPartyOAuth)).first()
    if connection is None:
        connection = ThirdPartyOAuth(agent_id=agent.agent_id, third_party_app_id=app.third_party_app_id)
        db.session.add(connection)
    data = {"scopes": sorted(oauth_client.granted_scopes(app, token)), "account": account}
    if isinstance(token.get("incoming_webhook"), dict):  # Slack: the channel chosen on its consent screen
        hook = token["incoming_webhook"]
        data["slack"] = {"channel": str(hook.get("channel") or "")[:100], "channel_id": str(hook.get("channel_id") or "")}
    connection.access_token = seal(token["access_token"])
    connection.refresh_token = seal(token.get("refresh_token"))
    connection.expiry = expiry_of(token)
    connection.additional_data = data
    connection.status = "connected"
    connection.refresh_claimed_until = None
    connection.tool_key = secrets.token_hex(16)  # a new tool secret: calls compiled before no longer work
    db.session.flush()
    return connection


@dataclass
class Disconnected:
    app_name: str
    revoked: bool | None  # None: the app has no revocation endpoint
    message: str


def disconnect(connection: ThirdPartyOAuth) -> Disconnected:
    """Revoke at the provider (RFC 7009) where it has a revoke_url, then delete the row whatever the answer."""
    app = connection.app
    connection_id = connection.third_party_oauth_id
    refresh_token, access_token = unseal(connection.refresh_token), unseal(connection.access_token)
    db.session.commit()  # no transaction open during the provider's call
    revoked, problem = None, ""
    if app.oauth and app.oauth.get("revoke_url") and (refresh_token or access_token):
        try:
            # Revoking the refresh token ends the grant (and its access tokens) at providers that tie them.
            oauth_client.revoke(app, refresh_token or access_token, "refresh_token" if refresh_token else "access_token")
            if refresh_token and access_token:
                oauth_client.revoke(app, access_token, "access_token")
            revoked = True
        except (oauth_client.ProviderRefused, oauth_client.ProviderUnreachable) as failed:
            revoked, problem = False, failed.message
    row = db.session.get(ThirdPartyOAuth, connection_id)
    if row is not None:
        db.session.delete(row)
    db.session.commit()
    if revoked is False:
        message = (f"{app.name} was disconnected here, but revoking its access at {app.name} failed ({problem}) "
                   f"Remove the app's access in your {app.name} account settings.")
    elif revoked:
        message = f"{app.name} was disconnected and its access revoked."
    else:
        message = f"{app.name} was disconnected. Remove the app's access in your {app.name} account settings too."
    return Disconnected(app.name, revoked, message)
