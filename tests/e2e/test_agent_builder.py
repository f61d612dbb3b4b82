"""A customer builds an agent end to end in the browser: prompt, voice, widget preview, a tested tool, knowledge, embed."""
import re

import pytest

from dashboard.demo.catalog import seed_catalog
from dashboard.extensions import db
from tests import factories
from tests.agents.conftest import LocalServer
from tests.e2e.conftest import sign_in


@pytest.fixture
def app(make_app):
    """The live app checks CSRF tokens, and allows the local tool server (only) past the SSRF checks."""
    app = make_app(SAFE_HTTP_ALLOWED_HOSTS=["127.0.0.1"], WTF_CSRF_ENABLED=True)
    with app.app_context():
        yield app


@pytest.fixture
def tool_server():
    server = LocalServer()
    yield server
    server.stop()


@pytest.fixture
def owner(app):
    seed_catalog()
    customer = factories.make_customer(name="Sunrise Dental", email="owner@sunrise.example")
    db.session.commit()
    return customer


def settled(page):
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')")


def test_customer_builds_an_agent_end_to_end(page, live_server, owner, tool_server, screenshot):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, live_server, owner.email, factories.PASSWORD)

    page.click("nav >> text=Agents")
    page.click("text=New agent")
    page.fill("#name", "Front Desk")
    page.fill("#description", "Answers the phone and books appointments")
    page.click("button:has-text('Create agent')")
    page.wait_for_url(re.compile(r".*/agents/\d+$"))
    assert "Front Desk is ready" in page.inner_text("#flashes")

    # Prompt: a library prompt, then our own override.
    page.select_option("#prompt_id", label="Receptionist")
    page.fill("#prompt_override", "You are the Sunrise Dental receptionist. Book cleanings and check-ups.")
    page.fill("#temperature", "0.6")
    page.click("button:has-text('Save prompt')")
    page.wait_for_selector("#prompt .saved-note")
    assert "Sunrise Dental receptionist" in page.inner_text("#prompt .prompt-text")

    # Voice: filter the catalog, pick one.
    page.select_option("#voice select[name=language]", "es")
    page.wait_for_function("() => !document.querySelector('#voice').innerText.includes('Jessica')")
    settled(page)  # htmx wires up the swapped-in filters once the swap has settled
    page.select_option("#voice select[name=language]", "")
    page.wait_for_selector("#voice >> text=Jessica")
    page.click("#voice label.voice-option:has-text('Jessica')")
    page.click("button:has-text('Use this voice')")
    page.wait_for_selector("#voice >> text=Voice set to Jessica.")
    # The Embed section recompiles the agent after another section saved, without a reload.
    page.wait_for_function("() => document.querySelector('#call-json').innerText.includes('\"voice\": \"Jessica\"')")

    # Widget: the preview follows the fields before anything is saved.
    # The preview is the real widget (widget.js) in a frame, open, redrawn with the typed settings.
    page.fill("#bot_name", "Ava")
    frame = page.frame_locator("#widget-preview iframe")
    frame.locator("[data-angelcx-widget] .name:text-is('Ava')").wait_for()
    page.fill("#color", "#0f8b8d")
    page.fill("#launcher_text", "Talk to Ava")
    frame = page.frame_locator("#widget-preview iframe")
    launcher = frame.locator("[data-angelcx-widget] .launcher:text-is('Talk to Ava')")
    launcher.wait_for()
    assert launcher.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(15, 139, 141)"
    page.locator("#widget").screenshot(path=str(screenshot(page, "agent-builder-widget-page").with_name(
        "agent-builder-widget-preview.png")))
    page.click("button:has-text('Save widget')")
    page.wait_for_selector("#widget >> text=Widget saved.")

    # Tools: a bad name first (inline error), then a tool with a dynamic path parameter.
    page.click("#tools >> text=Add a tool")
    page.fill("#name", "check availability")
    page.fill("#description", "Lists free slots on a day.")
    page.fill("#url", f"{tool_server.base_url}/slots/{{day}}")
    page.fill("[name='dynamic_params-0-name']", "day")
    page.select_option("[name='dynamic_params-0-location']", "path")
    page.fill("[name='dynamic_params-0-schema']", '{"type": "string", "enum": ["monday", "tuesday"]}')
    page.fill("[name='static_params-0-name']", "clinic")
    page.fill("[name='static_params-0-value']", "main")
    page.click("button:has-text('Add tool')")
    page.wait_for_selector("#tool-form >> text=Use 1–64 letters")
    screenshot(page, "agent-builder-tool-error")
    page.fill("#name", "check_availability")
    page.click("button:has-text('Add tool')")
    page.wait_for_url(re.compile(r".*/tools/\d+$"))
    page.fill("[name=param_0]", "monday")
    page.click("button:has-text('Send test request')")
    page.wait_for_selector(".tool-result >> text=200 OK")
    assert tool_server.requests[-1]["path"] == "/slots/monday?clinic=main"
    screenshot(page, "agent-builder-tool-test")

    # Knowledge: a web page.
    page.click("text=Back to Front Desk")
    page.fill("#knowledge input[name=url]", "https://93.184.215.14/faq")
    page.fill("#knowledge input[name=name]", "FAQ")
    page.click("button:has-text('Add page')")
    page.wait_for_selector("#knowledge >> text=Added FAQ")
    assert "Stored here only" in page.inner_text("#knowledge table")  # stored; Ultravox is not configured here

    # Embed: the snippet and the compiled Ultravox request.
    page.click(".builder-tabs >> text=Embed")
    assert 'data-agent="' in page.input_value("#embed-snippet")  # the signed token (tests/e2e/test_widget.py)
    page.locator("#embed").screenshot(path=str(screenshot(page, "agent-builder-embed").with_name(
        "agent-builder-embed-section.png")))
    call_json = page.inner_text("#call-json")
    assert '"modelToolName": "check_availability"' in call_json and '"voice": "Jessica"' in call_json
    screenshot(page, "agent-builder-full")
    page.goto(f"{live_server}/agents/")
    assert "Front Desk" in page.inner_text("#agent-cards") and "Jessica" in page.inner_text("#agent-cards")
    screenshot(page, "agent-builder-list")
    assert errors == []


def test_what_the_plan_does_not_include_is_shown_locked(page, live_server, app, screenshot):
    seed_catalog()
    customer = factories.make_customer(with_contract=False, email="starter@example.com")
    starter = db.session.scalars(db.select(factories.Plan).where(factories.Plan.name == "Starter Monthly")).one()
    factories.make_contract(customer, starter)
    agent = factories.make_agent(customer)
    db.session.commit()
    sign_in(page, live_server, customer.email, factories.PASSWORD)
    page.goto(f"{live_server}/agents/{agent.agent_id}#widget")
    assert page.is_disabled("#bot_name") and page.is_disabled("input[name=avatar_url]")
    assert not page.is_disabled("#color") and not page.is_disabled("#greeting")
    assert "Available on Growth Monthly" in page.inner_text("#widget")
    assert page.is_disabled("#voice button[type=submit]")
    page.locator("#voice").screenshot(path=str(screenshot(page, "agent-builder-locked-page").with_name(
        "agent-builder-locked-voice.png")))
    page.locator("#widget").screenshot(path=str(screenshot(page, "agent-builder-locked-page").with_name(
        "agent-builder-locked-widget.png")))


def test_the_builder_fits_a_phone(browser, live_server, owner, screenshot):
    agent = factories.make_agent(owner)
    factories.make_tool(agent)
    db.session.commit()
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in(page, live_server, owner.email, factories.PASSWORD)
    for path in (f"/agents/{agent.agent_id}", f"/agents/{agent.agent_id}/tools/{agent.tools[0].custom_tool_id}",
                 "/agents/"):
        page.goto(f"{live_server}{path}")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), path
    page.goto(f"{live_server}/agents/{agent.agent_id}")
    screenshot(page, "agent-builder-phone")
    context.close()
