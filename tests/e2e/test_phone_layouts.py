"""Every table-heavy page fits a phone (390 px): nothing wider than the screen, the key columns in view."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from dashboard.auth.models import AuditEvent, Customer
from dashboard.crm.models import ServiceMatch
from dashboard.demo.seed import seed_demo
from dashboard.extensions import db
from tests import factories
from tests.e2e.conftest import sign_in
from tests.e2e.layout import OVERFLOW

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}

@pytest.fixture
def demo(app):
    seed_demo("demo-password-e2e", echo=lambda *_: None)
    customer = db.session.scalar(select(Customer).where(Customer.email == "demo@example.com"))
    endpoint = factories.make_webhook_endpoint(customer, url="https://hooks.example.com/angelcx/receiver")
    factories.make_webhook_delivery(customer, endpoint)
    factories.make_member(customer, role="editor", name="Robin Castellanos-Whitfield",
                          email="robin.castellanos-whitfield@example.com")
    factories.make_invitation(customer, email="a.very.long.address.for.testing@example-clinic.com")
    db.session.add(AuditEvent(customer_id=customer.customer_id, actor_kind="member", actor_label="Robin Castellanos",
                              ip_address="2001:db8:85a3:0000:0000:8a2e:0370:7334", kind="agent",
                              subject="Agent Front Desk", changes={
                                  "prompt": ["You are the front desk of a dental clinic. " * 4, "Greet every caller."],
                                  "webhook_url": [None, "https://hooks.example.com/angelcx/receiver/with/a/long/path"]}))
    factories.make_api_key(customer)
    db.session.commit()
    return customer, endpoint


# Each list page, and what must be in view on a phone without scrolling sideways: its key columns.
def pages(endpoint_id: int, lead_id: int) -> dict[str, tuple[str, list[str]]]:
    return {
        "conversations": ("/conversations/", ["#conversation-rows td[data-label=Started]",
                                              "#conversation-rows td[data-label=Sentiment]",
                                              "#conversation-rows td[data-label=Status]"]),
        "emails": ("/emails/", ["#log-rows td[data-label=Sent]", "#log-rows td[data-label=Status]",
                                "td[data-label=Subject]"]),
        "leads": ("/leads/", ["#lead-rows td[data-label=Name]", "#lead-rows td[data-label=Status]",
                              "#lead-rows td[data-label=Updated]"]),
        "services": ("/leads/services/", ["#service-rows td[data-label=Type]", "#service-rows td[data-label=Status]"]),
        "plans": ("/billing/plans", [".plan >> nth=0", ".plan >> nth=1", ".plan >> nth=2",
                                     "table.compare td >> nth=2"]),
        "billing": ("/billing/", [".meter"]),
        "analytics": ("/analytics/", ["td[data-label='Avg sentiment']", "td[data-label=Conversations]"]),
        "audit": ("/settings/audit", ["table.audit td >> nth=0"]),
        "webhooks": ("/settings/webhooks/", ["table.webhook-endpoints td >> nth=2"]),
        "webhook deliveries": (f"/settings/webhooks/{endpoint_id}", ["table.webhook-log td >> nth=2"]),
        "lead's matches": (f"/leads/{lead_id}", ["#matches td[data-label=Score]", "#matches td[data-label=Status]"]),
        "api keys": ("/settings/", ["table.keys td[data-label='Last used']", "table.keys td[data-label=Created]"]),
        "members": ("/settings/members", ["table.members td[data-label=Role] select",
                                          "table.invitations td[data-label=Expires]"]),
    }


def assert_in_view(page, selector: str, width: int, name: str) -> None:
    element = page.locator(selector).first
    assert element.is_visible(), f"{name}: {selector} is not shown"
    box = element.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, f"{name}: {selector} is outside {box}"


def test_every_list_fits_a_phone_with_its_key_columns_in_view(page, live_server, demo, screenshot):
    customer, endpoint = demo
    lead_id = db.session.scalar(select(ServiceMatch.lead_id).where(ServiceMatch.customer_id == customer.customer_id)
                                .order_by(ServiceMatch.lead_id))
    sign_in(page, live_server, "demo@example.com", "demo-password-e2e")
    for size, viewport in (("390", PHONE), ("1280", DESKTOP)):
        page.set_viewport_size(viewport)
        for name, (path, key_columns) in pages(endpoint.webhook_endpoint_id, lead_id).items():
            page.goto(live_server + path)
            page.wait_for_load_state("networkidle")
            screenshot(page, f"lists-{name.replace(' ', '-')}-{size}")
            overflow = page.evaluate(OVERFLOW, None)
            assert overflow["scrollWidth"] <= viewport["width"], (name, size, overflow)
            assert overflow["wide"] == [], (name, size, overflow)
            for selector in key_columns:
                assert_in_view(page, selector, viewport["width"], name)
            headers = page.eval_on_selector_all("table th", "cells => cells.map(cell => cell.textContent.trim())")
            assert "" not in headers, f"{name}: a table header cell without text"


def test_the_conversation_filters_fold_behind_a_button_that_counts_them_on_a_phone(page, live_server, demo,
                                                                                  screenshot):
    sign_in(page, live_server, "demo@example.com", "demo-password-e2e")
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server}/conversations/?channel=voice&sentiment=positive")
    toggle = page.locator("[data-filters-toggle]")
    assert toggle.is_visible() and toggle.get_attribute("aria-expanded") == "false"
    assert toggle.inner_text().split()[:2] == ["Filters", "2"]
    assert not page.locator("select[name=channel]").is_visible()
    assert page.locator("input[name=q]").is_visible()  # the search stays
    first_row = page.locator("#conversation-rows tr").first.bounding_box()
    assert first_row["y"] < PHONE["height"], "the first conversation is below the first screen"
    screenshot(page, "lists-conversation-filters-folded-390")

    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true" and page.locator("select[name=channel]").is_visible()
    page.select_option("select[name=status]", "ended")
    page.wait_for_url("**status=ended**")
    assert toggle.inner_text().split()[:2] == ["Filters", "3"]
    screenshot(page, "lists-conversation-filters-open-390")

    page.set_viewport_size(DESKTOP)
    assert not toggle.is_visible() and page.locator("select[name=channel]").is_visible()

    # The audit log's filters fold the same way.
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server}/settings/audit?kind=agent")
    toggle = page.locator("[data-filters-toggle]")
    assert toggle.inner_text().split()[:2] == ["Filters", "1"] and not page.locator("select[name=kind]").is_visible()
    assert page.locator("table.audit td").first.bounding_box()["y"] < PHONE["height"]
    toggle.click()
    assert page.locator("select[name=kind]").is_visible()
    screenshot(page, "lists-audit-filters-open-390")
