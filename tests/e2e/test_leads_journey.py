"""Browser: a lead added on its page, a chat from its email posted over the API, and the lead's page showing the
interaction (linking to the transcript) and its engagement; then matched to a service and assigned to the agent."""
from __future__ import annotations

import pytest

from dashboard.extensions import db
from tests import factories
from tests.e2e.conftest import sign_in
from tests.emails.test_follow_up_flow import chat_for


@pytest.fixture
def app(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        yield app


def test_a_chat_from_a_leads_email_shows_on_its_page(app, live_server, page, screenshot, client):
    customer = factories.make_customer()
    agent = factories.make_agent(customer, name="Front Desk")
    factories.make_service(customer)  # consulting at 250
    db.session.commit()
    sign_in(page, live_server, customer.email, factories.PASSWORD)

    page.goto(f"{live_server}/leads/new")
    page.fill("input[name=first_name]", "Ava")
    page.fill("input[name=email]", "not an email")
    page.click("button:has-text('Save lead')")
    assert page.get_by_text("must be an email address").is_visible()
    page.fill("input[name=email]", "ava@example.net")
    page.fill("input[name=service_types]", "consulting")
    page.click("button:has-text('Save lead')")
    assert page.get_by_text("Lead saved.").is_visible() and page.get_by_text("No interactions yet").is_visible()
    lead_url = page.url

    _, secret = factories.make_api_key(customer)
    answer = client.post("/api/v1/conversations", json=chat_for(agent), headers={"Authorization": f"Bearer {secret}"})
    assert answer.status_code == 201

    page.goto(lead_url)
    timeline = page.locator("#interactions")
    assert timeline.get_by_text("Message").first.is_visible()
    assert timeline.get_by_role("link", name="Read the transcript").get_attribute("href") == \
        f"/conversations/{answer.get_json()['conversation_id']}"
    assert page.locator(".stat", has_text="Interactions").get_by_text("1").is_visible()
    page.click("button:has-text('Find matches')")
    assert page.get_by_text("1 matching service found.").is_visible()
    assert page.locator("#matches tbody tr").count() == 1
    page.select_option("#assignment select[name=agent_id]", label="Front Desk")
    page.click("#assignment button:has-text('Assign')")
    assert page.get_by_text("Assigned to Front Desk").is_visible()
    screenshot(page, "lead-page")
