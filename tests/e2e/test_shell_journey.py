"""A newcomer signs in as the demo customer and opens every section without an error."""
import pytest

from tests.e2e.conftest import sign_in

SECTIONS = [("Agents", "agents"), ("Conversations", "conversations"), ("Analytics", "analytics"),
            ("Emails", "emails"), ("Leads", "leads"), ("Integrations", "integrations"), ("Billing", "billing"),
            ("Settings", "settings")]


@pytest.fixture
def demo(demo_login):
    """The demo businesses (`flask seed-demo`'s rows); the demo's email and password."""
    return demo_login


def test_demo_customer_clicks_through_every_section(page, live_server, demo, screenshot):
    email, password = demo
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, live_server, email, password)
    assert page.locator("h1").first.inner_text() == "Overview"
    assert "Welcome back, Sunrise Dental." in page.inner_text("#flashes")
    screenshot(page, "overview")
    for label, slug in SECTIONS:
        page.click(f"nav >> text={label}")
        page.wait_for_load_state("networkidle")
        assert page.locator("h1").first.is_visible()
        assert "Something went wrong" not in page.content()
        assert page.locator("nav a.active").inner_text() == label
        screenshot(page, f"section-{slug}")
    assert errors == []


def test_layout_collapses_navigation_on_a_phone(browser, live_server, demo, screenshot):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    sign_in(page, live_server, *demo)
    assert not page.locator("#sidenav").is_visible()
    page.click("button.nav-toggle")
    assert page.locator("#sidenav").is_visible()
    screenshot(page, "overview-phone")
    context.close()


def test_sign_in_page_shows_errors_next_to_the_field(page, live_server, demo, screenshot):
    page.goto(f"{live_server}/auth/login")
    page.fill("input[name=email]", "demo@example.com")
    page.fill("input[name=password]", "wrong password")
    page.click("button[type=submit]")
    assert "do not match" in page.inner_text(".field.has-error")
    screenshot(page, "sign-in-error")
