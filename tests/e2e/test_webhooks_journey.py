"""Browser: add a webhook endpoint in place, send it a test event that settles in the log, page and read the log."""
from __future__ import annotations

from datetime import timedelta

import pytest

from dashboard.database import utcnow
from dashboard.extensions import db
from dashboard.webhooks_out.models import WebhookAttempt, WebhookEndpoint
from tests import factories
from tests.e2e.conftest import sign_in
from tests.webhooks_out.conftest import receiver  # noqa: F401  (the local receiving server)


@pytest.fixture
def app(make_app):
    app = make_app(WTF_CSRF_ENABLED=True, SAFE_HTTP_ALLOWED_HOSTS=["127.0.0.1"])
    with app.app_context():
        yield app


def seed_log(endpoint: WebhookEndpoint, customer) -> None:
    """Twenty-two earlier events: delivered on the second try, one still retrying, one failed without an answer."""
    start = utcnow() - timedelta(hours=30)
    for n in range(22):
        delivery = factories.make_webhook_delivery(customer, endpoint)
        delivery.event_id, delivery.event_type = f"evt_seed{n:02}", "conversation.ended"
        delivery.created_at = start + timedelta(minutes=n)
        delivery.status, delivery.attempts = ("retrying", 1) if n == 21 else ("failed", 1) if n == 20 else ("succeeded", 2)
        codes = [503] if n == 21 else [None] if n == 20 else [503, 200]
        for i, code in enumerate(codes):
            db.session.add(WebhookAttempt(
                webhook_delivery_id=delivery.webhook_delivery_id, attempted_at=delivery.created_at + timedelta(minutes=i),
                response_status=code, succeeded=code == 200, latency_ms=None if code is None else 40 + n,
                error="hooks.example.com did not answer within 15 seconds." if code is None else None,
                response_excerpt={503: "<html><body>Service Unavailable</body></html>", 200: '{"received":true}'}.get(code)))
        delivery.response_status = codes[-1]
        delivery.next_attempt_at = utcnow() + timedelta(minutes=8) if n == 21 else None
    db.session.commit()


def test_add_an_endpoint_send_a_test_event_and_read_the_log(app, live_server, page, screenshot, receiver):  # noqa: F811
    customer = factories.make_customer()
    db.session.commit()
    sign_in(page, live_server, customer.email, factories.PASSWORD)

    page.goto(f"{live_server}/settings/webhooks/")
    screenshot(page, "webhooks-empty")
    page.fill("input[name=url]", "https://10.0.0.8/hooks")
    page.check("input[value='conversation.ended']")
    page.click("text=Add endpoint")
    page.locator("#webhook-endpoints .flash-error").wait_for()
    assert "private network" in page.locator("#webhook-endpoints .flash-error").inner_text()
    page.fill("input[name=url]", receiver.url)
    page.check("input[value='conversation.analyzed']")
    page.click("text=Add endpoint")
    secret = page.locator("#new-webhook-secret").input_value()
    assert secret.startswith("whsec_") and page.url == f"{live_server}/settings/webhooks/"  # swapped in place
    screenshot(page, "webhooks-added")

    endpoint = db.session.scalars(db.select(WebhookEndpoint)).one()
    seed_log(endpoint, customer)
    receiver.secrets = [secret]
    page.click(f"a[href='/settings/webhooks/{endpoint.webhook_endpoint_id}']")
    assert page.locator("tbody.delivery").count() == 20
    page.click("text=Send a test event")
    page.locator("#delivery-log .flash-success").wait_for()
    page.locator("#delivery-log tbody.delivery").first.get_by_text("Delivered").wait_for()  # polled until settled
    [hit] = receiver.received
    assert hit["body"]["type"] == "ping" and hit["verified_by"] == [secret]
    page.click("text=Load older events")
    page.locator("text=evt_seed00").wait_for()
    assert page.locator("tbody.delivery").count() == 23
    page.locator("#delivery-log details").first.locator("summary").click()
    page.locator("#delivery-log tbody.delivery").nth(2).locator("summary").click()  # the one still retrying
    page.evaluate("window.scrollTo(0, 0)")
    screenshot(page, "webhook-endpoint")

    page.click("#endpoint-summary >> text=Disable")
    page.locator("#endpoint-summary .badge.danger").wait_for()
    db.session.expire_all()
    assert not db.session.get(WebhookEndpoint, endpoint.webhook_endpoint_id).enabled

    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server}/settings/webhooks/{endpoint.webhook_endpoint_id}")
    page.locator("#delivery-log tbody.delivery").first.locator("summary").click()
    full = screenshot(page, "webhook-endpoint-phone")
    page.screenshot(path=str(full.with_name("webhook-endpoint-phone-top.png")))  # what a phone shows first
    page.goto(f"{live_server}/settings/webhooks/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(page, "webhooks-phone")
