"""A customer connects Slack to an agent in the browser (consent at a real OAuth provider), the agent's tool call
posts through it, and the customer disconnects it."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import requests

from dashboard.agents.ultravox_compile import compile_call
from dashboard.extensions import db
from dashboard.integrations.catalog_sync import sync_catalog
from dashboard.models import Agent, ThirdPartyOAuth
from tests import factories
from tests.e2e.conftest import sign_in
from tests.integrations.oauth.conftest import integration_settings, standin_catalog, start_standins

SHOTS = Path("/tmp/shots-oauth")


@pytest.fixture
def app(make_app):
    app = make_app(WTF_CSRF_ENABLED=True, **integration_settings())
    with app.app_context():
        yield app


@pytest.fixture
def site(app, live_server):
    """The stand-in provider, registered with this live server's callback, and the catalog pointing at it."""
    server, apis = start_standins([f"{live_server}/integrations/oauth/callback"])
    sync_catalog(standin_catalog(server, apis))
    db.session.commit()
    yield live_server, server, apis
    apis.stop()
    server.stop()


def shoot(page, screenshot, name: str, section: str | None = None) -> None:
    """1280 px (the test's page) and 390 px wide, kept under tests/e2e/screenshots and copied to /tmp/shots-oauth;
    with `section`, that element alone too."""
    SHOTS.mkdir(exist_ok=True)
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 860})
        shutil.copy(screenshot(page, f"{name}-{width}"), SHOTS / f"{name}-{width}.png")
        if section:
            page.locator(section).screenshot(path=str(SHOTS / f"{name}-section-{width}.png"))
    page.set_viewport_size({"width": 1280, "height": 860})


def test_connect_use_and_disconnect_slack_in_the_browser(page, site, screenshot, app):
    base, server, apis = site
    customer = factories.make_customer(name="Sunrise Dental", email="owner@sunrise.example")
    agent = factories.make_agent(customer, name="Front Desk")
    db.session.commit()
    sign_in(page, base, customer.email, factories.PASSWORD)

    page.goto(f"{base}/integrations/")
    shoot(page, screenshot, "integrations-page")
    page.goto(f"{base}/agents/{agent.agent_id}#integrations")
    slack = page.locator("#integrations [data-app=slack]")
    assert "Available" in slack.inner_text()
    slack.get_by_role("button", name="Connect").click()

    # At the provider: sign in and allow.
    page.wait_for_url(f"{server.issuer}/**")
    page.fill("input[name=login]", "owner@sunrise.example")
    page.fill("input[name=password]", "any-password")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    if page.url.startswith(server.issuer):  # the consent page
        page.click("button[type=submit]")
    page.wait_for_url(f"{base}/agents/{agent.agent_id}**")
    assert "Slack is connected as Acme Support." in page.locator(".flash").inner_text()
    slack = page.locator("#integrations [data-app=slack]")
    assert "Connected" in slack.inner_text() and "Acme Support (#front-desk)" in slack.inner_text()
    slack.scroll_into_view_if_needed()
    shoot(page, screenshot, "agent-integrations-connected", "#integrations")

    # The agent's call, as Ultravox receives it, calls our tool endpoint; Slack gets the message.
    with app.test_request_context(base_url=base):
        call = compile_call(db.session.get(Agent, agent.agent_id), customer.name)
    assert "Slack: When the visitor needs a person" in call["systemPrompt"]
    tool = next(t["temporaryTool"] for t in call["selectedTools"] if t["temporaryTool"]["modelToolName"] == "notifyTeam")
    answer = requests.post(tool["http"]["baseUrlPattern"], json={"message": "Ana wants a call back."},
                           headers={p["name"]: p["value"] for p in tool["staticParameters"]}, timeout=30)
    assert answer.status_code == 200 and answer.text == "Told the team in #front-desk."
    assert apis.requests[-1]["body"] == {"channel": "C0FRONT", "text": "Ana wants a call back."}

    page.goto(f"{base}/integrations/")
    assert "Front Desk" in page.locator("[data-app=slack]").inner_text()
    shoot(page, screenshot, "integrations-page-connected")
    page.goto(f"{base}/agents/{agent.agent_id}#integrations")
    page.locator("#integrations [data-app=slack]").get_by_role("button", name="Disconnect").click()
    page.wait_for_url(f"{base}/agents/{agent.agent_id}**")
    assert "Slack was disconnected." in page.locator(".flash").inner_text()
    assert "Available" in page.locator("#integrations [data-app=slack]").inner_text()
    db.session.expire_all()
    assert db.session.query(ThirdPartyOAuth).count() == 0
