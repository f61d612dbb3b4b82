"""A customer without a plan picks one, pays on the Stripe stand-in, and watches it activate; then the billing page."""
from __future__ import annotations

import re

import pytest
import requests

from dashboard.billing.catalog_sync import sync_plans_to_stripe
from dashboard.extensions import db
from tests import factories
from tests.billing.conftest import WEBHOOK_SECRET, signed
from tests.demo_snapshot import restore
from tests.e2e.conftest import sign_in


@pytest.fixture
def app(make_app, stripe_standin, demo_rows):
    app = make_app(STRIPE_SECRET_KEY=stripe_standin.api_key, STRIPE_API_BASE=stripe_standin.base_url,
                   STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET)
    with app.app_context():
        restore(demo_rows)  # the demo businesses, as `flask seed-demo` leaves them
        sync_plans_to_stripe(echo=lambda line: None)
        yield app


def test_a_customer_picks_a_plan_pays_and_sees_it_activate(page, live_server, stripe_standin, screenshot):
    customer = factories.make_customer(name="Harbor Cafe", email="owner@harbor.example", with_contract=False)
    db.session.commit()
    sign_in(page, live_server, customer.email, factories.PASSWORD)

    page.goto(f"{live_server}/billing/plans")
    assert page.locator(".cadence-switch a.active").inner_text() == "Monthly"
    screenshot(page, "billing-plans-monthly")
    page.click(".cadence-switch >> text=Yearly")
    page.wait_for_url(re.compile(r"cadence=yearly"))
    page.locator("text=Growth Yearly").first.wait_for()
    assert page.locator("h1").count() == 1  # the fragment was swapped, not the page nested
    screenshot(page, "billing-plans-yearly")
    page.go_back()
    page.locator("text=Growth Monthly").first.wait_for()

    page.click("button:has-text('Choose Growth Monthly')")
    page.wait_for_url(re.compile(r"/checkout/cs_test_"))
    session_id = page.url.rsplit("/", 1)[1]
    event = stripe_standin.complete_checkout(session_id)
    page.goto(f"{live_server}/billing/return?session_id={session_id}")
    assert "activating your plan" in page.inner_text("#checkout-status")
    screenshot(page, "billing-return-activating")

    body, headers = signed(event)
    assert requests.post(f"{live_server}/webhooks/stripe", data=body, headers=headers, timeout=10).ok
    page.locator("text=Your Growth Monthly plan is active").wait_for(timeout=8_000)  # the 2 s poll picks it up
    screenshot(page, "billing-return-active")

    page.click("text=See your billing")
    assert "Growth Monthly" in page.inner_text(".billing-plan")
    assert page.locator(".billing-plan button:has-text('Open the Billing Portal')").is_enabled()
    screenshot(page, "billing-page-new-subscriber")


def test_the_demo_customer_sees_usage_against_every_limit(page, live_server, screenshot):
    sign_in(page, live_server, "demo@example.com", "demo-password-e2e")

    page.goto(f"{live_server}/billing/")

    assert page.locator(".meter").count() == 4
    assert page.locator(".features li").count() == 7  # every feature a plan can switch, connected apps included
    assert "Connecting third-party apps" in page.inner_text(".features")
    screenshot(page, "billing-page-demo")


def test_plans_and_billing_fit_a_phone(browser, live_server, screenshot):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in(page, live_server, "demo@example.com", "demo-password-e2e")

    for path, name in (("/billing/plans", "billing-plans-phone"), ("/billing/", "billing-page-phone")):
        page.goto(f"{live_server}{path}")
        # Only the comparison table may scroll sideways, inside its own wrapper.
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        screenshot(page, name)
    context.close()
