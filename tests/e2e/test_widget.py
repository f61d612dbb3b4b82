"""A visitor uses the embedded widget on the customer's test page: launcher, panel, and a voice call through Ultravox."""
import pytest

from dashboard.extensions import db
from tests import factories
from tests.e2e.conftest import launch, new_page, sign_in
from tests.live_servers import wait_for
from tests.standins.fixtures import ULTRAVOX_KEY as API_KEY

WIDGET = {"bot_name": "Ava", "color": "#0b7a75", "position": "bottom-left", "greeting": "Hi, I'm Ava. Want to talk?",
          "launcher_text": "Talk to Ava"}
CONNECT_TIMEOUT_MS = 20_000  # static/widget/widget.js


@pytest.fixture
def app(make_app, ultravox):
    app = make_app(ULTRAVOX_API_KEY=API_KEY, ULTRAVOX_API_BASE=ultravox.base_url, WTF_CSRF_ENABLED=True)
    ultravox.requests.clear()
    with app.app_context():
        yield app


@pytest.fixture
def agent(app):
    customer = factories.make_customer(name="Sunrise Dental", email="owner@sunrise.example")
    agent = factories.make_agent(customer, name="Front Desk", ui_config=WIDGET)
    db.session.commit()
    return agent


@pytest.fixture(scope="module")
def media_browser(browser):
    """Chromium with a fake microphone (already allowed): a call needs one, and CI machines have none."""
    media = launch(browser.browser_type, "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream")
    yield media
    media.close()


@pytest.fixture
def call_page(media_browser):
    with new_page(media_browser) as page:
        yield page


def calls_sent(ultravox):
    return [r for r in ultravox.requests if r.method == "POST" and r.path == "/api/calls"]


def widget(page, selector):
    """An element inside the widget's shadow root (Playwright's CSS selectors pierce open shadow roots)."""
    return page.locator(f"[data-angelcx-widget] {selector}")


def test_a_visitor_opens_the_widget_and_starts_a_call(call_page, live_server, agent, ultravox, screenshot):
    page, errors = call_page, []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, live_server, "owner@sunrise.example", factories.PASSWORD)
    page.goto(f"{live_server}/agents/{agent.agent_id}")
    page.context.clock.install()  # the test page's timers on a clock the test can move forward (it runs meanwhile)
    with page.expect_popup() as popup:
        page.click("#embed >> text=Preview on a test page")
    page = popup.value
    page.on("pageerror", lambda error: errors.append(str(error)))
    # The host site's own CSS must not reach the widget.
    page.add_style_tag(content="button { background: red !important; font-size: 40px !important; }"
                               " p { color: red !important; }")

    launcher = widget(page, ".launcher")
    launcher.wait_for()
    assert launcher.inner_text() == "Talk to Ava"
    assert launcher.evaluate("b => getComputedStyle(b).backgroundColor") == "rgb(11, 122, 117)"
    assert launcher.evaluate("b => getComputedStyle(b).fontSize") != "40px"
    box = launcher.bounding_box()
    assert box["x"] < 100  # bottom-left, as configured
    assert not widget(page, ".panel").is_visible()
    assert not page.evaluate("'UltravoxClient' in window")  # the voice client loads only for a call

    launcher.click()
    assert widget(page, ".greeting").inner_text() == "Hi, I'm Ava. Want to talk?"
    assert widget(page, ".name").inner_text() == "Ava"
    assert widget(page, ".greeting").evaluate("p => getComputedStyle(p).color") != "rgb(255, 0, 0)"
    screenshot(page, "widget-panel-open")

    # A bad email is refused next to its field, before any call starts.
    widget(page, "input[name=email]").fill("not-an-email")
    widget(page, ".start").click()
    widget(page, ".field-error >> text=Enter a valid email address.").wait_for()
    assert calls_sent(ultravox) == []

    # The stand-in's joinUrl is not a real room: the call is created, then fails to connect, clearly.
    widget(page, "input[name=name]").fill("Ava Nguyen")
    widget(page, "input[name=email]").fill("ava@example.net")
    widget(page, ".start").click()
    widget(page, ".error >> text=The call could not be connected").wait_for()
    (sent,) = calls_sent(ultravox)
    assert sent.json["metadata"]["visitor_email"] == "ava@example.net"
    assert sent.json["metadata"]["agent_id"] == str(agent.agent_id)
    assert page.evaluate("typeof window.UltravoxClient.UltravoxSession") == "function"
    assert widget(page, ".start").is_enabled()  # the visitor may try again
    screenshot(page, "widget-call-failed")

    # A join URL that looks real but answers nothing: the SDK tries, nothing answers, and once the widget's
    # 20 s connect timeout has passed (moved forward on the page's clock, not waited for) the panel says so.
    ultravox.respond("POST", "/api/calls", 201, {"callId": "33333333-3333-4333-8333-333333333333",
                                                 "joinUrl": "ws://127.0.0.1:9/calls/join"})
    widget(page, ".start").click()
    wait_for(lambda: len(calls_sent(ultravox)) == 2, 10, "the second call being created")
    widget(page, ".end").wait_for()  # in the call: the widget's connect timer is running
    page.clock.fast_forward(CONNECT_TIMEOUT_MS)
    page.wait_for_function("""() => {
        const root = document.querySelector('[data-angelcx-widget]').shadowRoot;
        return root.querySelector('.error').textContent.includes('could not be connected')
            && root.querySelectorAll('.bubble.greeting').length === 1; }""")
    assert len(calls_sent(ultravox)) == 2
    assert errors == []


def test_the_widget_fits_a_phone(browser, live_server, agent, screenshot):
    context = browser.new_context(viewport={"width": 375, "height": 700})
    page = context.new_page()
    try:
        sign_in(page, live_server, "owner@sunrise.example", factories.PASSWORD)
        page.goto(f"{live_server}/agents/{agent.agent_id}/widget-preview")
        widget(page, ".launcher").click()
        panel = widget(page, ".panel").bounding_box()
        assert panel["x"] >= 0 and panel["x"] + panel["width"] <= 375
        assert panel["y"] >= 0
        screenshot(page, "widget-phone")
    finally:
        context.close()


# The Ultravox browser client, stood in for at the network boundary (the room service is not reachable
# here): the same API the bundle exposes, driven by the test so the in-call panel can be seen.
FAKE_SDK = """
window.UltravoxClient = { UltravoxSession: class extends EventTarget {
  constructor() { super(); this.status = 'disconnected'; this.transcripts = []; this.isMicMuted = false;
                  window.fakeSession = this; }
  set(status) { this.status = status; this.dispatchEvent(new Event('status')); }
  say(speaker, text, isFinal) { this.transcripts.push({speaker, text, isFinal}); this.dispatchEvent(new Event('transcripts')); }
  joinCall(url) { this.joinedWith = url; this.set('connecting'); }
  toggleMicMute() { this.isMicMuted = !this.isMicMuted; }
  leaveCall() { this.set('disconnecting'); this.set('disconnected'); return Promise.resolve(); }
}};
"""


def test_the_panel_follows_the_call_status_and_transcript(call_page, live_server, agent, ultravox, screenshot):
    ultravox.respond("POST", "/api/calls", 201, {"callId": "33333333-3333-4333-8333-333333333333",
                                                 "joinUrl": "wss://voice.example/calls/join"})
    page = call_page
    page.route("**/static/vendor/ultravox-client-*.min.js",
               lambda route: route.fulfill(body=FAKE_SDK, content_type="text/javascript"))
    sign_in(page, live_server, "owner@sunrise.example", factories.PASSWORD)
    page.goto(f"{live_server}/agents/{agent.agent_id}/widget-preview")
    widget(page, ".launcher").click()
    widget(page, ".start").click()
    widget(page, ".status >> text=Connecting…").wait_for()
    assert page.evaluate("window.fakeSession.joinedWith") == "wss://voice.example/calls/join"
    assert not widget(page, ".visitor").is_visible() and widget(page, ".end").is_visible()

    page.evaluate("fakeSession.set('speaking'); fakeSession.say('agent', 'Hello! How can I help?', true)")
    page.evaluate("fakeSession.set('listening'); fakeSession.say('user', 'I need a cleaning', false)")
    widget(page, ".status >> text=Listening…").wait_for()
    lines = widget(page, ".bubble.line")
    assert lines.all_inner_texts() == ["Hello! How can I help?", "I need a cleaning"]
    assert "user" in lines.nth(1).get_attribute("class") and "partial" in lines.nth(1).get_attribute("class")

    widget(page, ".mute").click()
    assert widget(page, ".mute").inner_text() == "Unmute"
    assert widget(page, ".mute").get_attribute("aria-pressed") == "true"
    screenshot(page, "widget-in-call")

    widget(page, ".end").click()
    widget(page, ".status >> text=Call ended").wait_for()
    assert widget(page, ".start").is_visible() and widget(page, ".error").inner_text() == ""


def test_without_a_microphone_no_call_is_started(page, live_server, agent, ultravox):
    """The shared browser has no audio device: the visitor is told, and no Ultravox call is created for nothing."""
    sign_in(page, live_server, "owner@sunrise.example", factories.PASSWORD)
    page.goto(f"{live_server}/agents/{agent.agent_id}/widget-preview")
    widget(page, ".launcher").click()
    widget(page, ".start").click()
    widget(page, ".error >> text=No microphone could be used").wait_for()
    assert calls_sent(ultravox) == [] and widget(page, ".start").is_enabled()
