"""Visitors start voice calls from the widget: the compiled agent goes to Ultravox (a Prism stand-in), within the plan."""
from datetime import timedelta
from decimal import Decimal

import pytest

from dashboard.agents.ultravox_compile import compile_call
from dashboard.agents.widget.operations import widget_token
from dashboard.database import utcnow
from dashboard.extensions import db
from dashboard.models import Contract
from tests import factories
from tests.standins.fixtures import ULTRAVOX_KEY as API_KEY


@pytest.fixture
def site(make_app, ultravox):
    """An app pointed at the stand-in (no one signed in: visitors are anonymous) and a customer's agent."""
    app = make_app(ULTRAVOX_API_KEY=API_KEY, ULTRAVOX_API_BASE=ultravox.base_url)
    with app.app_context():
        customer = factories.make_customer(name="Sunrise Dental")
        prompt = factories.make_prompt(content="You are the receptionist of {business}.")
        agent = factories.make_agent(customer, prompt_id=prompt.prompt_id, voice="Riya", temperature=0.3)
        factories.make_tool(agent, name="lookup_order", url="https://api.example.com/orders/{order_id}")
        db.session.commit()
        ultravox.requests.clear()
        yield app.test_client(), agent, customer


def calls_sent(ultravox):
    return [r for r in ultravox.requests if r.method == "POST" and r.path == "/api/calls"]


def use_minutes(customer, minutes, **fields):
    call = factories.make_conversation(customer, channel="voice", messages=0, analysed=False, **fields)
    call.call_minutes_used = Decimal(minutes)
    db.session.commit()


def test_a_visitor_call_sends_the_compiled_agent_with_the_visitors_details(site, ultravox):
    client, agent, customer = site
    response = client.post(f"/widget/{widget_token(agent)}/calls", headers={"Origin": "https://shop.example"},
                           json={"name": "  Ava Nguyen ", "email": "ava@example.net"})
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert set(response.json) == {"joinUrl", "callId"} and response.json["callId"]
    (sent,) = calls_sent(ultravox)
    assert sent.headers["X-API-Key"] == API_KEY
    expected = compile_call(agent, "Sunrise Dental")
    expected["metadata"].update(visitor_name="Ava Nguyen", visitor_email="ava@example.net")
    expected["maxDuration"] = "3600s"  # 1,000 plan minutes left: Ultravox's own one-hour cap applies
    assert sent.json == expected
    assert sent.json["systemPrompt"].startswith("You are the receptionist of Sunrise Dental.")
    assert sent.json["selectedTools"][0]["temporaryTool"]["modelToolName"] == "lookup_order"


def test_a_visitor_may_start_a_call_without_giving_details(site, ultravox):
    client, agent, _ = site
    assert client.post(f"/widget/{widget_token(agent)}/calls").status_code == 201
    (sent,) = calls_sent(ultravox)
    assert sent.json["metadata"] == {"agent_id": str(agent.agent_id)}


def test_a_call_may_not_outlast_the_plans_minutes(site, ultravox):
    client, agent, customer = site
    use_minutes(customer, "997.50")
    assert client.post(f"/widget/{widget_token(agent)}/calls", json={}).status_code == 201
    assert calls_sent(ultravox)[0].json["maxDuration"] == "150s"


def test_no_new_call_once_the_minutes_are_used_up(site, ultravox):
    client, agent, customer = site
    use_minutes(customer, "600")
    use_minutes(customer, "400")
    response = client.post(f"/widget/{widget_token(agent)}/calls", json={"name": "Ava"})
    assert response.status_code == 403 and "used all its call minutes" in response.json["detail"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert calls_sent(ultravox) == []


def test_minutes_of_an_earlier_period_do_not_count(site, ultravox):
    client, agent, customer = site
    use_minutes(customer, "999", created_at=utcnow() - timedelta(days=45))
    assert client.post(f"/widget/{widget_token(agent)}/calls").status_code == 201


def test_without_an_active_plan_no_call_starts(site, ultravox):
    client, agent, customer = site
    for contract in db.session.scalars(db.select(Contract).filter_by(customer_id=customer.customer_id)):
        contract.status = "ended"
    db.session.commit()
    response = client.post(f"/widget/{widget_token(agent)}/calls")
    assert response.status_code == 402 and "no active plan" in response.json["detail"]
    assert calls_sent(ultravox) == []


def test_bad_visitor_details_are_refused_and_nothing_is_sent(site, ultravox):
    client, agent, _ = site
    url = f"/widget/{widget_token(agent)}/calls"
    response = client.post(url, json={"name": "Ava", "email": "not-an-email"})
    assert response.status_code == 422
    assert response.json["errors"] == [{"path": "/email", "message": "Enter a valid email address."}]
    assert [e["path"] for e in client.post(url, json={"name": "x" * 101}).json["errors"]] == ["/name"]
    assert client.post(url, json={"phone": "+1"}).status_code == 422
    assert client.post(url, json={"name": 5}).status_code == 400
    assert client.post(url, json=["Ava"]).status_code == 400
    assert client.post(url, data="{not json", content_type="application/json").status_code == 400
    assert calls_sent(ultravox) == []


def test_an_ultravox_failure_is_a_clear_502(site, ultravox):
    client, agent, _ = site
    ultravox.respond("POST", "/api/calls", 500, {"detail": "internal secret detail"})
    try:
        response = client.post(f"/widget/{widget_token(agent)}/calls")
    finally:
        ultravox.respond("POST", "/api/calls", 201, {"callId": "33333333-3333-4333-8333-333333333333",
                                                     "joinUrl": "wss://voice.example/join"})
    assert response.status_code == 502 and "could not start the call" in response.json["detail"]
    assert "secret" not in response.get_data(as_text=True)


def test_without_ultravox_a_call_is_a_clear_503(client, agent):
    response = client.post(f"/widget/{widget_token(agent)}/calls", json={"name": "Ava"})
    assert response.status_code == 503 and response.is_json
    assert "not configured" in response.json["detail"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_call_creation_is_rate_limited_per_address(make_app):
    app = make_app(RATELIMIT_ENABLED=True)
    with app.app_context():
        agent = factories.make_agent(factories.make_customer())
        db.session.commit()
        url = f"/widget/{widget_token(agent)}/calls"
    client = app.test_client()
    statuses = [client.post(url, environ_base={"REMOTE_ADDR": "203.0.113.7"}).status_code for _ in range(30)]
    assert statuses == [503] * 30
    limited = client.post(url, environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert limited.status_code == 429 and "Too many calls" in limited.json["detail"]
    assert limited.headers["Access-Control-Allow-Origin"] == "*"
    assert client.post(url, environ_base={"REMOTE_ADDR": "203.0.113.8"}).status_code == 503  # another visitor
    preflight = client.options(url, environ_base={"REMOTE_ADDR": "203.0.113.7"})
    assert preflight.status_code == 200  # preflights are not counted, nor refused
    assert client.get(url.replace("/calls", "/config"), environ_base={"REMOTE_ADDR": "203.0.113.7"}).status_code == 200


def test_visitor_calls_need_no_csrf_token(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        agent = factories.make_agent(factories.make_customer())
        db.session.commit()
        url = f"/widget/{widget_token(agent)}/calls"
    assert app.test_client().post(url, json={}).status_code == 503  # reached the view: not refused as CSRF
