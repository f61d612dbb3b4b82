"""A search shows that it is running, never leaves the previous count in view meanwhile, and shows matching passages."""
import pytest

from dashboard.demo.seed import seed_demo
from tests.e2e.conftest import sign_in


@pytest.fixture
def demo(app):
    seed_demo("demo-password-e2e", echo=lambda *_: None)
    return "demo@example.com", "demo-password-e2e"


def test_a_running_search_shows_its_indicator_and_hides_the_stale_count(page, live_server, demo, screenshot):
    sign_in(page, live_server, *demo)
    page.goto(f"{live_server}/conversations/?q=appointment")
    page.wait_for_selector(".result-count strong", timeout=30_000)  # the count, loaded after the rows
    old_count = page.inner_text(".result-count")
    assert "match" in old_count

    held = []  # the next search's request, held here until the page has been checked mid-flight
    page.route("**/conversations/?*q=refund*", lambda route: held.append(route))
    page.fill("input[name=q]", "refund")
    page.wait_for_function("() => document.querySelector('#search-status').classList.contains('htmx-request')")
    page.wait_for_function("() => getComputedStyle(document.querySelector('#search-status')).opacity === '1'")
    assert page.locator("#search-status").is_visible() and "Searching" in page.inner_text("#search-status")
    assert page.inner_text(".result-count") == "Searching…"  # not the previous search's figure
    assert page.get_attribute("#results", "aria-busy") == "true"
    screenshot(page, "conversations-search-in-flight")

    assert len(held) == 1
    held[0].continue_()
    page.unroute("**/conversations/?*q=refund*")
    page.wait_for_url("**q=refund**")
    page.wait_for_selector(".result-count strong", timeout=30_000)
    assert page.get_attribute("#results", "aria-busy") is None
    assert page.locator(".snippet-passage mark").count() > 0
    marked = {text.lower() for text in page.locator(".snippet-passage mark").all_inner_texts()}
    assert all(word.startswith("refund") for word in marked), marked
    page.wait_for_function("() => getComputedStyle(document.querySelector('#search-status')).opacity === '0'")
    screenshot(page, "conversations-search-passages")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "conversations-search-passages-390")
