"""The Integrations page, connect/disconnect an agent to an app, the OAuth callback, and the apps' tool endpoint."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for

from dashboard.agents.models import Agent
from dashboard.extensions import db
from dashboard.integrations import agent_bp, bp, connections
from dashboard.integrations.models import ThirdPartyOAuth
from dashboard.integrations.operations import catalog_with_connections
from dashboard.tenancy import current_customer, get_owned_or_404


@bp.get("/")
def index():
    apps, agents = catalog_with_connections(current_customer.customer_id)
    return render_template("integrations/index.html", apps=apps, agents=agents)


def _back_to(agent_id: int | None):
    if agent_id is None:
        return redirect(url_for("integrations.index"))
    return redirect(url_for("agents.show", agent_id=agent_id, _anchor="integrations"))


def _app_or_404(app_slug: str):
    app = connections.available_app(app_slug) if len(app_slug) <= 60 else None
    if app is None:
        abort(404)
    return app


@agent_bp.post("/<int:agent_id>/integrations/<app_slug>/connect")
def connect(agent_id: int, app_slug: str):
    """To the provider's consent page (CSRF-checked form post; the agent must be the customer's own)."""
    agent = get_owned_or_404(Agent, agent_id)
    app = _app_or_404(app_slug)
    reason = connections.why_not_connectable(app, current_customer.customer_id)
    if reason:
        flash(f"{reason} Nothing was connected.", "error")
        return _back_to(agent.agent_id)
    return connections.begin(agent, app, url_for("integrations.callback", _external=True))


@bp.post("/<app_slug>/connect")
def connect_from_catalog(app_slug: str):
    """The Integrations page's Connect: the agent comes from the form."""
    agent_id = request.form.get("agent_id", "")
    if not agent_id.isdigit() or len(agent_id) > 18:
        flash("Choose an agent to connect.", "error")
        return _back_to(None)
    return connect(int(agent_id), app_slug)


@bp.get("/oauth/callback")
def callback():
    """Where the provider sends the browser back, with `code` and `state` (or `error`)."""
    try:
        connected = connections.complete(request.args, current_customer.customer_id)
    except connections.ConnectRefused as refused:
        db.session.rollback()
        flash(refused.message, "error")
        return _back_to(refused.agent_id)
    label = f" as {connected.account_label}" if connected.account_label else ""
    flash(f"{connected.app_name} is connected{label}.", "success")
    return _back_to(connected.agent_id)


@agent_bp.post("/<int:agent_id>/integrations/<app_slug>/disconnect")
def disconnect(agent_id: int, app_slug: str):
    agent = get_owned_or_404(Agent, agent_id)
    app = _app_or_404(app_slug)
    connection = db.session.scalars(db.select(ThirdPartyOAuth).where(
        ThirdPartyOAuth.agent_id == agent.agent_id,
        ThirdPartyOAuth.third_party_app_id == app.third_party_app_id)).first()
    if connection is None:
        flash(f"{app.name} was not connected to {agent.name}.", "info")
        return _back_to(agent.agent_id)
    result = connections.disconnect(connection)
    flash(result.message, "success" if result.revoked is not False else "warning")
    return _back_to(agent_id)
