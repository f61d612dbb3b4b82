"""A connected app in use: its prompt and actions in the compiled call, the tool endpoint reaching the provider's
API with the stored token (refreshed when it runs out), "needs reconnecting" when the provider refuses."""
import json
from datetime import timedelta

import requests
from flask import current_app
from sqlalchemy import select

from dashboard.agents.ultravox_compile import compile_call, system_prompt
from dashboard.database import utcnow
from dashboard.extensions import db
from dashboard.integrations.tokens import unseal
from dashboard.models import Agent, ThirdPartyOAuth
from tests import factories
from tests.integrations.oauth.conftest import SLACK_TOKEN_SECONDS, callback_path, connect_flow
from tests.live_servers import wait_for

SECRET_HEADER = "X-AngelCX-Tool-Secret"


def connect(client, agent, slug) -> ThirdPartyOAuth:
    client.get(callback_path(connect_flow(client, agent.agent_id, slug)))
    return db.session.scalars(select(ThirdPartyOAuth).where(ThirdPartyOAuth.agent_id == agent.agent_id)
                              .order_by(ThirdPartyOAuth.third_party_oauth_id.desc())).first()


def row_expiry(connection):
    db.session.expire_all()
    return db.session.get(ThirdPartyOAuth, connection.third_party_oauth_id).expiry


def compiled(agent, business_name=None) -> dict:
    """The agent's compiled call, as a request to this server (Test call, the widget) compiles it."""
    with current_app.test_request_context():
        return compile_call(db.session.get(Agent, agent.agent_id), business_name)


def tools_of(call: dict) -> dict:
    return {t["temporaryTool"]["modelToolName"]: t["temporaryTool"] for t in call["selectedTools"]
            if "temporaryTool" in t}


def call_tool(client, tool: dict, arguments: dict):
    headers = {p["name"]: p["value"] for p in tool["staticParameters"]}
    return client.post(tool["http"]["baseUrlPattern"].replace("http://localhost", ""), json=arguments, headers=headers)


def test_the_compiled_call_carries_the_apps_prompt_and_actions_and_the_page_hides_the_secret(login_as, customer, apis):
    agent = factories.make_agent(customer)
    client = login_as(customer)
    connection = connect(client, agent, "google-calendar")
    call = compiled(agent, customer.name)
    assert "Google Calendar: You can see the business's calendar." in call["systemPrompt"]
    tools = tools_of(call)
    assert set(tools) == {"checkAvailability", "createEvent"}
    check = tools["checkAvailability"]
    assert check["http"] == {"baseUrlPattern": f"http://localhost/integrations/tools/{connection.third_party_oauth_id}"
                                               "/checkAvailability", "httpMethod": "POST"}
    assert [(p["name"], p["location"], p["required"]) for p in check["dynamicParameters"]] == [
        ("date", "PARAMETER_LOCATION_BODY", True), ("timeZone", "PARAMETER_LOCATION_BODY", False)]
    [secret] = check["staticParameters"]
    assert secret["name"] == SECRET_HEADER and secret["location"] == "PARAMETER_LOCATION_HEADER"
    assert len(secret["value"]) == 64
    # The same prompt outside any request (a job, the text chat's worker): channel-neutral.
    assert "Google Calendar: You can see" in system_prompt(db.session.get(Agent, agent.agent_id), customer.name)
    embed = client.get(f"/agents/{agent.agent_id}/embed").get_data(as_text=True)
    assert "checkAvailability" in embed and secret["value"] not in embed and "********" in embed
    # What the connection adds is shown with it.
    page = client.get(f"/agents/{agent.agent_id}").get_data(as_text=True)
    assert "Lets the agent check free and busy times on a day, book events" in page


def test_actions_reach_the_providers_apis_with_the_stored_token(login_as, customer, apis):
    agent = factories.make_agent(customer)
    client = login_as(customer)
    calendar, hubspot, slack = (connect(client, agent, slug) for slug in ("google-calendar", "hubspot", "slack"))
    tools = tools_of(compiled(agent, customer.name))
    apis.busy.append({"start": "2026-12-01T09:00:00Z", "end": "2026-12-01T10:30:00Z"})
    assert [r["path"] for r in apis.requests] == ["/account-info/v3/details", "/api/auth.test"]  # the accounts
    apis.requests.clear()

    answer = call_tool(client, tools["checkAvailability"], {"date": "2026-12-01", "timeZone": "Europe/Lisbon"})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert answer.get_data(as_text=True) == ("On 2026-12-01 (Europe/Lisbon) the calendar is busy 09:00-10:30; "
                                              "every other time is free.")
    sent = apis.requests[-1]
    assert sent["path"] == "/calendar/v3/freeBusy" and sent["body"]["items"] == [{"id": "primary"}]
    assert sent["body"]["timeMin"] == "2026-12-01T00:00:00+00:00" and sent["token"] == unseal(calendar.access_token)

    booked = call_tool(client, tools["createEvent"], {"summary": "Cleaning for Ana", "start": "2026-12-01T11:00:00+00:00",
                                                      "end": "2026-12-01T11:30:00+00:00",
                                                      "attendeeEmail": "ana@example.net"})
    assert booked.status_code == 200 and "Booked \"Cleaning for Ana\"" in booked.get_data(as_text=True)
    assert apis.requests[-1]["body"]["attendees"] == [{"email": "ana@example.net"}]

    for _ in range(2):  # created, then updated (HubSpot answers 409 for a known email)
        saved = call_tool(client, tools["saveContact"], {"email": "ana@example.net", "firstName": "Ana"})
        assert saved.status_code == 200
    assert saved.get_data(as_text=True) == "Updated the contact ana@example.net."
    assert apis.requests[-1]["method"] == "PATCH" and apis.requests[-1]["query"] == {"idProperty": ["email"]}
    noted = call_tool(client, tools["addContactNote"], {"email": "ana@example.net", "note": "Wants a cleaning."})
    assert noted.status_code == 200 and apis.notes[0]["associations"][0]["to"] == {"id": "100"}
    assert apis.notes[0]["associations"][0]["types"][0]["associationTypeId"] == 202

    told = call_tool(client, tools["notifyTeam"], {"message": "Ana (ana@example.net) wants a call back."})
    assert told.status_code == 200 and told.get_data(as_text=True) == "Told the team in #front-desk."
    assert apis.requests[-1]["body"] == {"channel": "C0FRONT", "text": "Ana (ana@example.net) wants a call back."}
    assert apis.requests[-1]["token"] == unseal(db.session.get(ThirdPartyOAuth, slack.third_party_oauth_id).access_token)

    # Arguments are checked before anything leaves; a wrong or another connection's secret is refused.
    bad = call_tool(client, tools["createEvent"], {"summary": "x", "start": 5})
    assert bad.status_code == 422 and {e["path"] for e in bad.get_json()["errors"]} >= {"/start", ""}
    wrong = dict(tools["notifyTeam"], staticParameters=tools["checkAvailability"]["staticParameters"])
    assert call_tool(client, wrong, {"message": "hi"}).status_code == 404
    assert client.post(f"/integrations/tools/{hubspot.third_party_oauth_id}/notifyTeam", json={}).status_code == 404
    # freeBusy, events, contacts (the 409 is refused, so not recorded), PATCH, GET, notes, chat.postMessage
    assert len(apis.requests) == 7


def test_an_expired_token_is_refreshed_before_use_and_a_refused_refresh_needs_reconnecting(
        login_as, customer, apis, oauth_server, app):
    agent = factories.make_agent(customer)
    client = login_as(customer)
    connection = connect(client, agent, "slack")
    old_access, old_refresh = unseal(connection.access_token), unseal(connection.refresh_token)
    # Slack's tokens live seconds at the stand-in: wait until the provider no longer takes this one.
    wait_for(lambda: not oauth_server.introspect(old_access)["active"], SLACK_TOKEN_SECONDS + 5, "the token expiring")
    assert row_expiry(connection) < utcnow() + timedelta(minutes=5)
    tool = tools_of(compiled(agent))["notifyTeam"]
    answer = call_tool(client, tool, {"message": "A visitor needs a person."})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    db.session.expire_all()
    row = db.session.get(ThirdPartyOAuth, connection.third_party_oauth_id)
    assert apis.requests[-1]["token"] == unseal(row.access_token) != old_access
    assert unseal(row.refresh_token) != old_refresh  # the provider rotated it
    assert row.expiry > utcnow() + timedelta(minutes=30) and row.refresh_claimed_until is None

    # The provider refuses the next refresh (the grant was revoked there): the connection needs reconnecting.
    requests.post(oauth_server.revoke_url, data={"token": unseal(row.refresh_token), "client_id": "slack-client",
                                                 "client_secret": "slack-secret"}, timeout=10).raise_for_status()
    row.expiry = utcnow() + timedelta(minutes=2)  # within the 5-minute margin: the next use refreshes
    db.session.commit()
    refused = call_tool(client, tool, {"message": "Another visitor."})
    assert refused.status_code == 409 and "needs reconnecting" in refused.get_data(as_text=True)
    assert db.session.get(ThirdPartyOAuth, connection.third_party_oauth_id).status == "needs_reconnect"
    assert "Needs reconnecting" in client.get(f"/agents/{agent.agent_id}").get_data(as_text=True)
    assert "Needs reconnecting" in client.get("/integrations/").get_data(as_text=True)
    assert "notifyTeam" not in json.dumps(compiled(agent))
    # Reconnecting makes it usable again, with a new tool secret (the old compiled tool no longer works).
    connect(client, agent, "slack")
    assert db.session.get(ThirdPartyOAuth, connection.third_party_oauth_id).status == "connected"
    assert call_tool(client, tool, {"message": "x"}).status_code == 404


def test_disconnect_revokes_at_the_provider_and_deletes(login_as, customer, oauth_server, app):
    agent = factories.make_agent(customer)
    client = login_as(customer)
    connection = connect(client, agent, "google-calendar")
    access, refresh = unseal(connection.access_token), unseal(connection.refresh_token)
    answer = client.post(f"/agents/{agent.agent_id}/integrations/google-calendar/disconnect")
    assert answer.headers["Location"].endswith(f"/agents/{agent.agent_id}#integrations")
    assert "Google Calendar was disconnected and its access revoked." in client.get("/integrations/").get_data(as_text=True)
    assert not oauth_server.introspect(access)["active"] and not oauth_server.introspect(refresh)["active"]
    assert db.session.scalars(select(ThirdPartyOAuth)).all() == []

    # A revocation that fails still deletes here, and says so.
    connect(client, agent, "google-calendar")
    from dashboard.models import ThirdPartyApp

    calendar = db.session.scalars(select(ThirdPartyApp).where(ThirdPartyApp.slug == "google-calendar")).one()
    calendar.oauth = {**calendar.oauth, "revoke_url": "http://127.0.0.1:9/revoke"}
    db.session.commit()
    client.post(f"/agents/{agent.agent_id}/integrations/google-calendar/disconnect")
    page = client.get("/integrations/").get_data(as_text=True)
    assert "revoking its access at Google Calendar failed" in page
    assert db.session.scalars(select(ThirdPartyOAuth)).all() == []

    # HubSpot has no RFC 7009 endpoint: deleted here, with a pointer to its own settings.
    connect(client, agent, "hubspot")
    client.post(f"/agents/{agent.agent_id}/integrations/hubspot/disconnect")
    assert "HubSpot was disconnected. Remove the app&#39;s access in your HubSpot account settings too." in \
        client.get("/integrations/").get_data(as_text=True)
    assert db.session.scalars(select(ThirdPartyOAuth)).all() == []
