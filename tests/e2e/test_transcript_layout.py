"""The transcript page on a phone shows the analysis (its summary) before the transcript; a wide screen puts the
transcript on the left and the analysis beside it."""
from datetime import timedelta

from dashboard.extensions import db
from tests import factories
from tests.e2e.conftest import sign_in


def _box(page, selector: str) -> dict:
    return page.locator(selector).bounding_box()


def test_on_a_phone_the_summary_comes_before_the_transcript(browser, live_server, app, screenshot):
    customer = factories.make_customer()
    visitor = factories.make_visitor(customer, name="Ava Nguyen")
    conversation = factories.make_conversation(customer, factories.make_agent(customer), visitor, messages=30,
                                               created_at=factories.utcnow() - timedelta(hours=2))
    db.session.commit()
    for width, height in ((390, 844), (1280, 800)):
        context = browser.new_context(viewport={"width": width, "height": height})
        page = context.new_page()
        sign_in(page, live_server, customer.email, factories.PASSWORD)
        page.goto(f"{live_server}/conversations/{conversation.session_id}")
        analysis, transcript = _box(page, ".analysis-panel"), _box(page, ".transcript")
        summary = _box(page, ".analysis-panel dd:has-text('The visitor booked a visit.')")
        if width == 390:
            assert summary["y"] + summary["height"] < height  # read without scrolling past the transcript
            assert analysis["y"] + analysis["height"] <= transcript["y"]
            assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scroll
        else:
            assert transcript["x"] + transcript["width"] <= analysis["x"]  # side by side, transcript first
            assert abs(transcript["y"] - analysis["y"]) < 2
        screenshot(page, f"transcript-{width}")
        context.close()
