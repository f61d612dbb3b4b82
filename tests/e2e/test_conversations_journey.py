"""The demo customer filters and searches conversations in place, loads more, and reads a transcript."""
import pytest
from sqlalchemy import select

from dashboard.auth.models import Customer
from dashboard.conversations.models import Conversation, Message
from dashboard.extensions import db
from tests import factories
from tests.e2e.conftest import sign_in


@pytest.fixture
def demo(demo_login):
    return demo_login


def test_filter_search_load_more_and_transcript(page, live_server, demo, screenshot):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, live_server, *demo)
    page.goto(f"{live_server}/conversations/")
    assert page.locator("#conversation-rows tr").count() == 51  # 50 rows and "Load more"
    page.select_option("select[name=channel]", "voice")
    page.wait_for_url("**channel=voice**")
    page.wait_for_load_state("networkidle")
    assert set(page.locator("#conversation-rows td:nth-child(4) .badge").all_inner_texts()) == {"Voice"}
    page.fill("input[name=q]", "appointment")
    page.wait_for_url("**q=appointment**", timeout=30_000)  # the search and its count, on a CI machine running two suites
    page.wait_for_load_state("networkidle")
    assert "channel=voice" in page.url and page.locator("#filters select[name=channel]").input_value() == "voice"
    screenshot(page, "conversations-list-filtered")
    before = page.locator("#conversation-rows tr").count()
    page.click("text=Load more")
    page.wait_for_function(f"() => document.querySelectorAll('#conversation-rows tr').length > {before}")

    session_id = db.session.scalar(
        select(Message.session_id).join(Conversation, Conversation.session_id == Message.session_id)
        .join(Customer, Customer.customer_id == Conversation.customer_id)
        .where(Message.role == "tool_call", Customer.email == "demo@example.com")
        .order_by(Message.message_id.desc()).limit(1))
    page.goto(f"{live_server}/conversations/{session_id}")
    assert page.locator(".bubble").count() > 2 and page.locator(".chat .tool").count() >= 2
    page.click(".chat .tool summary >> nth=0")
    assert page.locator(".chat .tool pre").first.is_visible()
    assert page.locator(".analysis-panel .sentiment-bar").is_visible()
    screenshot(page, "conversation-transcript")
    page.click("text=Re-run analysis")
    assert "The analysis was run again." in page.inner_text("#flashes")
    assert errors == []


def test_a_new_customer_sees_the_empty_state(page, live_server, app, screenshot):
    customer = factories.make_customer(email="new@example.com")
    db.session.commit()
    sign_in(page, live_server, customer.email, factories.PASSWORD)
    page.goto(f"{live_server}/conversations/")
    assert "No conversations yet" in page.inner_text("#results")
    screenshot(page, "conversations-empty")
    page.fill("input[name=q]", "refund")
    page.wait_for_url("**q=refund**")
    page.wait_for_load_state("networkidle")
    assert "No conversations match" in page.inner_text("#results")
