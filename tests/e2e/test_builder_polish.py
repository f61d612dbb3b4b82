"""The builder reads well at 1280 and 390 px: the section nav follows the scroll (aria-current), nothing is wider than a
phone, and the effective prompt follows the library choice before saving."""
import re

import pytest

from dashboard.demo.catalog import seed_catalog
from dashboard.extensions import db
from tests import factories
from tests.e2e.conftest import sign_in
from tests.e2e.layout import OVERFLOW

LONG_URL = "https://api.sunrise-dental-booking-platform.example.com/v2/clinics/{clinic_id}/availability/slots?include=providers"


@pytest.fixture
def app(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        yield app


@pytest.fixture
def built(app):
    """A customer on a full plan with an agent that has a tool with a long URL and a few knowledge sources."""
    seed_catalog()
    customer = factories.make_customer(name="Sunrise Dental", email="owner@sunrise.example", with_contract=False)
    factories.make_contract(customer, factories.make_plan(name="Growth", **factories.FULL_ACCESS))
    agent = factories.make_agent(customer, name="Front Desk")
    factories.make_tool(agent, name="check_availability_for_the_whole_week", url=LONG_URL, dynamic_params=[
        {"name": "clinic_id", "location": "path", "schema": {"type": "string"}, "required": True}])
    factories.make_knowledge_source(agent, kind="file", name="price-list-2026-with-a-rather-long-file-name.pdf",
                                    url=None, size_bytes=31, status="skipped",
                                    status_detail="Stored here; not synced because Ultravox is not configured.")
    factories.make_knowledge_source(agent, url="https://www.sunrise-dental.example.com/frequently-asked-questions",
                                    name="FAQ", status="skipped",
                                    status_detail="Stored here; not synced because Ultravox is not configured.")
    db.session.commit()
    return customer, agent


def settled(page):
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')")


def test_the_section_nav_marks_the_section_in_view(page, live_server, built, screenshot):
    customer, agent = built
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, live_server, customer.email, factories.PASSWORD)
    page.goto(f"{live_server}/agents/{agent.agent_id}")
    screenshot(page, "builder-1280")
    nav = page.locator("nav.builder-tabs")
    page.wait_for_function("() => document.querySelector('nav.builder-tabs [aria-current]')")
    assert nav.locator("[aria-current=true]").inner_text() == "Details"
    page.locator("#knowledge").scroll_into_view_if_needed()
    page.evaluate("document.getElementById('knowledge').scrollIntoView({block: 'start'})")
    page.wait_for_function("() => document.querySelector('nav.builder-tabs [aria-current]')?.textContent === 'Knowledge'")
    assert nav.is_visible() and nav.bounding_box()["y"] < 140  # still on screen, at the top
    assert page.locator(".sidenav").bounding_box()["y"] >= 0  # the main navigation stays on screen too
    page.click("nav.builder-tabs >> text=Voice")
    page.wait_for_function("() => document.querySelector('nav.builder-tabs [aria-current]')?.textContent === 'Voice'")
    assert nav.locator("[aria-current]").count() == 1
    assert errors == []


def test_nothing_is_wider_than_a_phone(browser, live_server, built, screenshot):
    customer, agent = built
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    page.set_default_timeout(10_000)
    try:
        sign_in(page, live_server, customer.email, factories.PASSWORD)
        tool = agent.tools[0]
        for path, name in ((f"/agents/{agent.agent_id}", "builder-390"),
                           (f"/agents/{agent.agent_id}/tools/{tool.custom_tool_id}", "tool-390"),
                           (f"/agents/{agent.agent_id}/tools/new", "new-tool-390"),
                           ("/agents/", "agents-390"), ("/agents/new", "new-agent-390")):
            page.goto(f"{live_server}{path}")
            screenshot(page, name)
            # Every element within the viewport (the section nav's tabs scroll sideways inside it, by design).
            assert page.evaluate(OVERFLOW, "nav.builder-tabs")["wide"] == [], path
            assert page.evaluate("document.documentElement.scrollWidth") <= 390, path
    finally:
        context.close()


LINES_OF_TEXT = """e => { const range = document.createRange(); range.selectNodeContents(e);
    return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size; }"""


@pytest.mark.parametrize("width", [1280, 390])
def test_buttons_keep_their_label_on_one_line(browser, live_server, built, width):
    """Found: "Edit & test" wrapped onto two lines beside a long URL."""
    customer, agent = built
    context = browser.new_context(viewport={"width": width, "height": 844})
    page = context.new_page()
    try:
        sign_in(page, live_server, customer.email, factories.PASSWORD)
        page.goto(f"{live_server}/agents/{agent.agent_id}")
        assert page.locator("#tools a:has-text('Edit & test')").evaluate(LINES_OF_TEXT) == 1
        assert page.locator("#knowledge button:has-text('Remove')").first.evaluate(LINES_OF_TEXT) == 1
    finally:
        context.close()


def test_the_effective_prompt_follows_the_library_choice_before_saving(page, live_server, built):
    customer, agent = built
    sign_in(page, live_server, customer.email, factories.PASSWORD)
    page.goto(f"{live_server}/agents/{agent.agent_id}")
    page.select_option("#prompt_id", label="General assistant")
    page.wait_for_function("() => document.querySelector('#effective-prompt').textContent.includes('assistant for')")
    text = page.inner_text("#effective-prompt")
    assert "assistant for Sunrise Dental." in text and "{business}" not in text and "General assistant" in text
    page.fill("#prompt_override", "Welcome to {business}, ask for {doctor}.")
    page.wait_for_function("() => document.querySelector('#effective-prompt').textContent.includes('Welcome to')")
    settled(page)
    assert "Welcome to Sunrise Dental, ask for {doctor}." in page.inner_text("#effective-prompt .prompt-text")
    assert "Not filled in: {doctor}" in page.inner_text("#effective-prompt")
    db.session.expire_all()
    assert db.session.get(type(agent), agent.agent_id).prompt_override is None  # nothing saved
    assert re.search(r"\d+ characters, your own", page.inner_text("#effective-prompt h3"))


def test_leaving_the_url_field_offers_its_path_parameters(page, live_server, built):
    customer, agent = built
    sign_in(page, live_server, customer.email, factories.PASSWORD)
    page.goto(f"{live_server}/agents/{agent.agent_id}/tools/new")
    page.fill("#name", "lookup_order")
    page.fill("#url", "https://api.example.com/orders/{order_id}")
    page.click("#description")  # leaves the URL field: its change asks which placeholders lack a parameter
    page.fill("#description", "Finds an order.")
    page.click("#url-placeholders button:has-text('Add it')")
    page.wait_for_selector(".added-params")
    settled(page)
    assert page.input_value("[name='dynamic_params-0-name']") == "order_id"
    assert page.input_value("[name='dynamic_params-0-location']") == "path"
    assert page.input_value("#description") == "Finds an order."  # what was typed meanwhile is kept
