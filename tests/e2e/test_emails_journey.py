"""Browser: the emails page filters failed sends in place, and a template's test email is sent over real SMTP."""
from __future__ import annotations

import pytest

from dashboard.extensions import db
from tests import factories
from tests.e2e.conftest import sign_in
from tests.emails.conftest import smtp, smtp_settings  # noqa: F401  (the SMTP server fixture)


@pytest.fixture
def app(make_app, smtp, tmp_path):  # noqa: F811
    app = make_app(**smtp_settings(smtp, tmp_path), WTF_CSRF_ENABLED=True)
    with app.app_context():
        yield app


def test_failed_sends_filter_and_a_test_email(app, live_server, page, screenshot, smtp):  # noqa: F811
    customer = factories.make_customer()
    agent = factories.make_agent(customer, name="Front Desk")
    template = factories.make_email_template(customer, agent, email_subject="Thanks for calling {{business_name}}",
                                             email_body="Hi {{visitor_name}},\n\n{{call_summary}}\n\n{{agent_name}}")
    visitor = factories.make_visitor(customer)
    conversation = factories.make_conversation(customer, agent, visitor)
    factories.make_email_log(customer, template, conversation, visitor, agent).recipient_email = "ava@example.net"
    failed = factories.make_email_log(customer, template, conversation, visitor, agent)
    failed.recipient_email, failed.status = "bounced@example.net", "failed"
    failed.error = "The mail server at smtp.example.com:587 refused the recipient (bounced@example.net: 550 5.1.1 No such user)."
    db.session.commit()

    sign_in(page, live_server, customer.email, factories.PASSWORD)
    page.goto(f"{live_server}/emails/")
    assert page.locator("#send-log tbody tr").count() == 2
    screenshot(page, "emails-index")

    page.click("text=Failed only")
    page.wait_for_url(f"{live_server}/emails/?status=failed")
    assert page.locator("#send-log tbody tr").count() == 1
    assert page.locator("#send-log").get_by_text("550 5.1.1 No such user").is_visible()
    screenshot(page, "emails-failed-only")

    page.goto(f"{live_server}/emails/templates/{template.email_pk}")
    page.fill("#test-email input[name=address]", "not an address")
    page.click("text=Send test email")
    page.locator("#test-email .error").wait_for()
    assert "Enter an email address like name@example.com." in page.locator("#test-email .error").inner_text()
    page.fill("#test-email input[name=address]", "me@mybusiness.example")
    page.click("text=Send test email")
    page.locator("#test-email .flash-success").wait_for()
    screenshot(page, "emails-test-sent")
    [message] = smtp.messages
    assert message["To"] == "me@mybusiness.example" and message["Subject"] == f"[Test] Thanks for calling {customer.name}"

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/emails/?status=failed")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(page, "emails-phone")
