"""A visitor chats with the agent in the embedded widget: the reply streams in, the agent uses a custom tool, the chat
is in the dashboard while it goes on, and once the visitor ends it the conversation is there, analysed."""
import pytest

from dashboard.extensions import db
from tests import factories
from tests.agents.conftest import LocalServer
from tests.e2e.conftest import sign_in
from tests.standins.chat_completions import ChatCompletionsStandin

KEY = "sk-e2e-chat"
WIDGET = {"bot_name": "Ava", "color": "#0b7a75", "position": "bottom-right", "greeting": "Hi, I'm Ava. Ask me anything.",
          "launcher_text": "Chat with Ava"}


@pytest.fixture
def model():
    standin = ChatCompletionsStandin(KEY)
    standin.chunk_delay = 0.15  # slow enough to see the words arrive one by one
    yield standin
    standin.stop()


@pytest.fixture
def tool_server():
    server = LocalServer()
    yield server
    server.stop()


@pytest.fixture
def app(make_app, model):
    app = make_app(CHAT_LLM_URL=model.base_url, CHAT_LLM_API_KEY=KEY, SAFE_HTTP_ALLOWED_HOSTS=["127.0.0.1"],
                   WTF_CSRF_ENABLED=True)
    with app.app_context():
        yield app


@pytest.fixture
def agent(app, tool_server):
    customer = factories.make_customer(name="Sunrise Dental", email="owner@sunrise.example")
    agent = factories.make_agent(customer, name="Front Desk", ui_config=WIDGET, channels="chat")
    factories.make_tool(agent, name="check_availability", url=f"{tool_server.base_url}/availability")
    db.session.commit()
    return agent


def widget(page, selector):
    return page.locator(f"[data-angelcx-widget] {selector}")


def test_a_visitor_chats_in_the_widget_and_the_conversation_is_analysed(page, live_server, agent, model, tool_server,
                                                                         screenshot):
    errors = []
    sign_in(page, live_server, "owner@sunrise.example", factories.PASSWORD)
    page.goto(f"{live_server}/agents/{agent.agent_id}")
    with page.expect_popup() as popup:
        page.click("#embed >> text=Preview on a test page")
    site = popup.value
    site.on("pageerror", lambda error: errors.append(str(error)))

    widget(site, ".launcher").click()
    assert not widget(site, ".start").is_visible()  # a chat-only agent offers no call button
    model.turns[:] = [{"tool_calls": [{"name": "check_availability", "arguments": {"date": "2026-12-01"}}]},
                      {"text": "We have 09:00 or 10:30 free on December 1st. Which suits you?"}]
    widget(site, "input[name=name]").fill("Ava Nguyen")
    widget(site, "input[name=message]").fill("Any slots on December 1st? <b>bold</b>")
    widget(site, ".send").click()
    widget(site, ".typing").first.wait_for()  # the typing indicator before the first word
    answer = widget(site, ".bubble.agent")
    answer.wait_for()
    partial = answer.inner_text()
    assert partial and len(partial) < len("We have 09:00 or 10:30 free on December 1st. Which suits you?")  # streaming
    site.wait_for_function("() => document.querySelector('[data-angelcx-widget]').shadowRoot"
                           ".querySelector('.bubble.agent').textContent.endsWith('Which suits you?')")
    # The whole text is shown a moment before the reply is stored: the model's stream has not ended yet (its
    # finish chunk and [DONE] follow). The reply ends, stored, when the widget lets the visitor send again.
    site.wait_for_function("() => !document.querySelector('[data-angelcx-widget]').shadowRoot"
                           ".querySelector('.send').disabled")
    assert tool_server.requests[0]["path"] == "/availability?date=2026-12-01"
    # The visitor's text is shown as text, never as markup.
    assert widget(site, ".bubble.user").inner_text() == "Any slots on December 1st? <b>bold</b>"
    assert widget(site, ".bubble.user b").count() == 0
    screenshot(site, "chat-widget-reply")

    # The chat is in the dashboard while it goes on.
    page.goto(f"{live_server}/conversations")
    assert page.locator("tbody tr").count() == 1 and "Active" in page.locator("tbody tr").inner_text()

    # A reload continues the same chat; then the visitor ends it.
    site.reload()
    widget(site, ".launcher").click()
    widget(site, ".bubble.agent").wait_for()
    assert widget(site, ".bubble.user").inner_text() == "Any slots on December 1st? <b>bold</b>"
    with site.expect_response(lambda response: response.url.endswith("/chat/end")) as ended:
        widget(site, ".endchat").click()
    assert ended.value.status == 204
    widget(site, ".bubble.notice").wait_for()
    assert not errors

    page.goto(f"{live_server}/conversations")
    row = page.locator("tbody tr")
    assert "Ended" in row.inner_text() and "Ava Nguyen" in row.inner_text()
    row.locator("a").first.click()
    page.wait_for_selector("text=Chat with Ava Nguyen")
    assert page.locator("text=check_availability").count() >= 1
    assert page.locator("dt:text-is('Summary')").is_visible() and page.locator("p:text('Analysed')").is_visible()
    screenshot(page, "chat-transcript-analysed")
