"""Gunicorn workers never refresh one connection at once: the provider rotates refresh tokens, so a second refresh
with the old one would fail (and revoke the grant). Real concurrent tool calls against 3 workers."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import requests
from flask import current_app

from dashboard.agents.ultravox_compile import compile_call
from dashboard.extensions import db
from dashboard.integrations.tokens import unseal
from dashboard.models import Agent, ThirdPartyOAuth
from tests import factories
from tests.integrations.oauth.conftest import CLIENTS, ENCRYPTION_KEY, SLACK_TOKEN_SECONDS, callback_path, connect_flow
from tests.live_servers import app_environment, start_gunicorn, stop, wait_for

CALLS = 9


def test_concurrent_calls_with_an_expired_token_refresh_it_once(login_as, customer, apis, oauth_server, migrated,
                                                                 tmp_path):
    agent = factories.make_agent(customer)
    client = login_as(customer)
    client.get(callback_path(connect_flow(client, agent.agent_id, "slack")))
    connection = db.session.query(ThirdPartyOAuth).one()
    first_access, first_refresh = unseal(connection.access_token), unseal(connection.refresh_token)
    with current_app.test_request_context():
        tool = next(t["temporaryTool"] for t in compile_call(db.session.get(Agent, agent.agent_id))["selectedTools"]
                    if t.get("temporaryTool", {}).get("modelToolName") == "notifyTeam")
    headers = {p["name"]: p["value"] for p in tool["staticParameters"]}
    path = tool["http"]["baseUrlPattern"].replace("http://localhost", "")

    env = app_environment(migrated, tmp_path / "instance", SECRET_KEY=current_app.config["SECRET_KEY"],
                          TOKEN_ENCRYPTION_KEY=ENCRYPTION_KEY,
                          INTEGRATION_SLACK_CLIENT_ID=CLIENTS["slack"]["client_id"],
                          INTEGRATION_SLACK_CLIENT_SECRET=CLIENTS["slack"]["client_secret"])
    process, base = start_gunicorn(env, tmp_path / "gunicorn.log", workers=3,
                                   target="tests.integrations.oauth.standin_wsgi:app", ready_within=90)
    try:
        wait_for(lambda: not oauth_server.introspect(first_access)["active"], SLACK_TOKEN_SECONDS + 5,
                 "the access token expiring")
        apis.requests.clear()
        # A slow token endpoint: every worker's first call reads the expired token before any refresh finishes.
        oauth_server.delay_token_answers(1500)

        def call(n: int):
            return requests.post(f"{base}{path}", json={"message": f"Visitor {n} needs a person."}, headers=headers,
                                 timeout=30)

        with ThreadPoolExecutor(CALLS) as pool:
            answers = list(pool.map(call, range(CALLS)))
    finally:
        oauth_server.delay_token_answers(0)
        stop(process)
    assert [a.status_code for a in answers] == [200] * CALLS, [a.text for a in answers] + [
        (tmp_path / "gunicorn.log").read_text()[-3000:]]
    db.session.expire_all()
    row = db.session.get(ThirdPartyOAuth, connection.third_party_oauth_id)
    assert row.status == "connected" and row.refresh_claimed_until is None
    assert unseal(row.refresh_token) != first_refresh
    # One refresh: every call used the one new access token (a second refresh, with the rotated refresh token,
    # would have failed: invalid_grant, the grant revoked, "needs reconnecting" and 409s).
    used = {r["token"] for r in apis.requests}
    assert len(apis.requests) == CALLS and used == {unseal(row.access_token)} and first_access not in used
