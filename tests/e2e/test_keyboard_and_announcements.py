"""From the keyboard alone: a skip link, a clear outline on whatever has focus; and what an htmx swap changes is read
out to screen readers from one live region (#announcer) that stays in the page."""
import pytest

from dashboard.extensions import db
from tests import factories
from tests.e2e.conftest import sign_in

# What the focused element looks like: its outline, and whether the skip link is on screen.
FOCUSED = """() => {
  const element = document.activeElement, style = getComputedStyle(element);
  return {tag: element.tagName, text: (element.textContent || element.name || "").trim().slice(0, 30),
          outline: style.outlineStyle, width: parseFloat(style.outlineWidth),
          onScreen: element.getBoundingClientRect().top >= 0};
}"""


@pytest.fixture
def app(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        yield app


@pytest.fixture
def owner(app):
    customer = factories.make_customer(name="Sunrise Dental", email="owner@sunrise.example")
    factories.make_agent(customer)
    db.session.commit()
    return customer


def test_tabbing_through_a_page_always_shows_where_the_focus_is(page, live_server, owner):
    sign_in(page, live_server, owner.email, factories.PASSWORD)
    page.goto(f"{live_server}/agents/")
    seen = []
    for _ in range(16):
        page.keyboard.press("Tab")
        seen.append(page.evaluate(FOCUSED))
    assert seen[0]["text"] == "Skip to content" and seen[0]["onScreen"], seen[0]
    unclear = [each for each in seen if each["outline"] in ("none", "auto") or each["width"] < 2]
    assert not unclear, f"focused without a clear outline: {unclear}"
    assert {"A", "BUTTON", "INPUT"} <= {each["tag"] for each in seen}


def test_the_skip_link_moves_the_keyboard_past_the_navigation(page, live_server, owner):
    sign_in(page, live_server, owner.email, factories.PASSWORD)
    page.goto(f"{live_server}/agents/")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.querySelector('main').contains(document.activeElement)")


def test_a_section_saved_in_place_is_announced(page, live_server, owner):
    sign_in(page, live_server, owner.email, factories.PASSWORD)
    agent_id = factories.make_agent(owner, name="Night Line").agent_id
    db.session.commit()
    page.goto(f"{live_server}/agents/{agent_id}")
    assert page.inner_text("#announcer") == ""
    page.fill("#details input[name=name]", "Night Line East")
    page.click("#details button[type=submit]")
    page.wait_for_function("() => document.getElementById('announcer').textContent.includes('aved')")
    assert page.get_attribute("#announcer", "aria-live") == "polite"


def test_a_search_that_finds_nothing_is_announced(page, live_server, owner):
    sign_in(page, live_server, owner.email, factories.PASSWORD)
    page.goto(f"{live_server}/agents/")
    page.fill("input[name=q]", "no agent is called this")
    page.wait_for_function("() => document.getElementById('announcer').textContent === 'No agents match'")
