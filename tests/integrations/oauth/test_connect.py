"""Connecting an agent to an app over a real OAuth 2 provider (oidc-provider), and every refusal writing nothing."""
from urllib.parse import parse_qs, urlsplit

import requests
from sqlalchemy import func, select, text

from dashboard.extensions import db
from dashboard.integrations.tokens import unseal
from dashboard.models import ThirdPartyOAuth
from tests import factories
from tests.integrations.oauth.conftest import callback_path, connect_flow
from tests.standins.oauth_apps import deny_consent
from tests.standins.oidc_provider import login_with_dev_interaction


def connections() -> int:
    return db.session.scalar(select(func.count()).select_from(ThirdPartyOAuth))


def flashes(client) -> str:
    return client.get("/integrations/").get_data(as_text=True)


def test_connecting_stores_encrypted_tokens_the_account_and_scopes(login_as, customer, oauth_server):
    agent = factories.make_agent(customer)
    client = login_as(customer)
    response = client.post(f"/agents/{agent.agent_id}/integrations/google-calendar/connect")
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    assert response.headers["Location"].startswith(oauth_server.authorize_url)
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43  # PKCE
    assert query["access_type"] == ["offline"] and query["client_id"] == ["gcal-client"]
    back = callback_path(login_with_dev_interaction(requests.Session(), response.headers["Location"],
                                                    "ana@sunrise.example"))
    answer = client.get(back)
    assert answer.status_code == 302 and answer.headers["Location"].endswith(f"/agents/{agent.agent_id}#integrations")
    page = client.get(f"/agents/{agent.agent_id}").get_data(as_text=True)
    assert "Google Calendar is connected as ana@sunrise.example." in page
    assert "as <strong>ana@sunrise.example</strong>" in page
    row = db.session.scalars(select(ThirdPartyOAuth)).one()
    assert row.additional_data["account"] == {"id": "ana@sunrise.example", "email": "ana@sunrise.example"}
    assert "https://www.googleapis.com/auth/calendar.events" in row.additional_data["scopes"]
    assert row.expiry is not None and row.status == "connected" and row.refresh_token
    # At rest the columns hold Fernet tokens: nothing the provider issued is readable in the database.
    stored = db.session.execute(text("SELECT access_token, refresh_token FROM third_party_oauth")).one()
    assert all(value.startswith("gAAAA") for value in stored)
    introspected = oauth_server.introspect(unseal(row.access_token))
    assert introspected["active"] and introspected["client_id"] == "gcal-client"
    # The callback URL works once: the same answer again is refused and changes nothing.
    again = client.get(back)
    assert again.headers["Location"].endswith("/integrations/")
    assert "not valid here or was already used" in flashes(client)
    assert connections() == 1


def test_slack_keeps_the_channel_chosen_at_consent(login_as, customer):
    agent = factories.make_agent(customer)
    client = login_as(customer)
    client.get(callback_path(connect_flow(client, agent.agent_id, "slack")))
    row = db.session.scalars(select(ThirdPartyOAuth)).one()
    assert row.additional_data["slack"] == {"channel": "#front-desk", "channel_id": "C0FRONT"}
    assert row.additional_data["account"] == {"id": "T0ACME", "name": "Acme Support"}
    assert "hooks" not in str(row.additional_data)  # the webhook URL (a secret) is not kept
    assert "Acme Support (#front-desk)" in client.get(f"/agents/{agent.agent_id}").get_data(as_text=True)


def test_declining_consent_connects_nothing(login_as, customer):
    agent = factories.make_agent(customer)
    client = login_as(customer)
    response = client.post(f"/agents/{agent.agent_id}/integrations/hubspot/connect")
    back = deny_consent(requests.Session(), response.headers["Location"])
    assert "error=access_denied" in back
    answer = client.get(callback_path(back))
    assert answer.headers["Location"].endswith(f"/agents/{agent.agent_id}#integrations")
    assert "You did not allow HubSpot access, so nothing was connected." in flashes(client)
    assert connections() == 0


def test_state_missing_mismatched_or_from_another_browser_is_refused(login_as, customer, app):
    agent = factories.make_agent(customer)
    client = login_as(customer)
    back = connect_flow(client, agent.agent_id, "google-calendar")
    code = parse_qs(urlsplit(back).query)["code"][0]
    assert client.get(f"/integrations/oauth/callback?code={code}").status_code == 302
    assert "had no state" in flashes(client)
    client.get(f"/integrations/oauth/callback?code={code}&state=forged-state")
    assert "not valid here or was already used" in flashes(client)
    # The same customer signed in in another browser cannot finish this browser's flow.
    other_browser = app.test_client()
    other_browser.post("/auth/login", data={"email": customer.email, "password": factories.PASSWORD})
    other_browser.get(callback_path(back))
    assert "not valid here or was already used" in flashes(other_browser)
    assert connections() == 0


def test_another_customers_agent_is_a_404_and_a_used_code_is_refused(login_as, customer, other_customer, app):
    theirs = factories.make_agent(other_customer)
    ours = factories.make_agent(customer)
    client = login_as(customer)
    assert client.post(f"/agents/{theirs.agent_id}/integrations/slack/connect").status_code == 404
    assert client.post(f"/agents/{theirs.agent_id}/integrations/slack/disconnect").status_code == 404
    assert client.post("/integrations/slack/connect", data={"agent_id": theirs.agent_id}).status_code == 404
    back = connect_flow(client, ours.agent_id, "hubspot")
    code = parse_qs(urlsplit(back).query)["code"][0]
    # The code is redeemed once (here, as an attacker who saw it would); our exchange then fails.
    creds = {"client_id": "hubspot-client", "client_secret": "hubspot-secret"}
    oauth = app.config["INTEGRATION_CLIENTS"]
    assert oauth["HUBSPOT"] == creds
    from dashboard.models import ThirdPartyApp

    token_url = db.session.scalars(select(ThirdPartyApp.oauth).where(ThirdPartyApp.slug == "hubspot")).one()["token_url"]
    stolen = requests.post(token_url, data={"grant_type": "authorization_code", "code": code,
                                            "redirect_uri": "http://localhost/integrations/oauth/callback", **creds},
                           timeout=10)
    assert stolen.status_code == 200
    client.get(callback_path(back))
    assert "HubSpot refused to connect (invalid_grant). Nothing was connected." in flashes(client)
    assert connections() == 0


def test_a_provider_that_fails_or_grants_too_little_connects_nothing(login_as, customer, oauth_server, app):
    agent = factories.make_agent(customer)
    client = login_as(customer)
    back = connect_flow(client, agent.agent_id, "google-calendar")
    oauth_server.fail_next_token_request()
    client.get(callback_path(back))
    assert "Google Calendar could not be reached to connect. Please try again shortly. Nothing was connected." \
        in flashes(client)
    # An app needing a scope the provider does not grant (it drops scopes it does not know).
    from dashboard.models import ThirdPartyApp

    slack = db.session.scalars(select(ThirdPartyApp).where(ThirdPartyApp.slug == "slack")).one()
    slack.oauth = {**slack.oauth, "scopes": [*slack.oauth["scopes"], "channels:history"],
                   "required_scopes": ["chat:write", "channels:history"]}
    db.session.commit()
    client.get(callback_path(connect_flow(client, agent.agent_id, "slack")))
    assert "Slack granted less than it needs (missing: channels:history)" in flashes(client)
    # The provider unreachable altogether.
    hubspot = db.session.scalars(select(ThirdPartyApp).where(ThirdPartyApp.slug == "hubspot")).one()
    back = connect_flow(client, agent.agent_id, "hubspot")
    hubspot.oauth = {**hubspot.oauth, "token_url": "http://127.0.0.1:9/token"}
    db.session.commit()
    client.get(callback_path(back))
    assert "HubSpot could not be reached to connect." in flashes(client)
    assert connections() == 0


def test_connect_is_refused_without_credentials_or_the_plan(app, login_as, customer):
    agent = factories.make_agent(customer)
    client = login_as(customer)
    app.config["INTEGRATION_CLIENTS"] = {"GOOGLE_CALENDAR": app.config["INTEGRATION_CLIENTS"]["GOOGLE_CALENDAR"]}
    page = client.get(f"/agents/{agent.agent_id}").get_data(as_text=True)
    assert "Not configured on this server" in page
    answer = client.post(f"/agents/{agent.agent_id}/integrations/slack/connect")
    assert answer.status_code == 302 and answer.headers["Location"].endswith("#integrations")
    assert "Slack is not configured on this server. Nothing was connected." in flashes(client)
    # A plan without connect_apps.
    from dashboard.billing.entitlements import active_contract

    active_contract(customer.customer_id).access.connect_apps = False
    db.session.commit()
    client.post(f"/agents/{agent.agent_id}/integrations/google-calendar/connect")
    assert "Your plan does not include connecting third-party apps." in flashes(client)
    assert client.post(f"/agents/{agent.agent_id}/integrations/nope/connect").status_code == 404
    assert connections() == 0
