"""POST /api/v1/conversations: a text chat stored whole, validated, counted and analysed; or nothing at all."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from dashboard.auth.api_keys import create_api_key
from dashboard.conversations.models import Analysis, Conversation, Message, Visitor
from dashboard.extensions import db
from tests import factories


@pytest.fixture
def api(client, customer):
    _, secret = create_api_key(customer, "chat widget")
    db.session.commit()

    def post(body, key=secret):
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return client.post("/api/v1/conversations", json=body, headers=headers)

    return post


def chat(agent, count=4, start=None, **fields):
    start = start or datetime.now(UTC) - timedelta(minutes=5)
    lines = ["Hi, how much does a cleaning cost?", "A cleaning is $120.", "Is that covered by insurance?",
             "Most plans cover part of it."]
    return {
        "agent_id": agent.agent_id,
        "visitor": {"name": "Ava Nguyen", "email": "Ava@Example.net", "phone": "+14155550142"},
        "messages": [{"role": "visitor" if i % 2 == 0 else "agent", "content": lines[i % 4],
                      "timestamp": (start + timedelta(seconds=10 * i)).isoformat()} for i in range(count)],
        "ended_at": (start + timedelta(seconds=10 * count)).isoformat(),
        **fields,
    }


def counts():
    return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in (Conversation, Message, Visitor))


def test_a_chat_is_stored_counted_and_analysed(api, customer):
    agent = factories.make_agent(customer)
    db.session.commit()
    response = api(chat(agent))
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.json
    assert body["text_messages_used"] == 4 and body["over_limit"] is False
    conversation = db.session.get(Conversation, body["conversation_id"])
    assert (conversation.channel, conversation.is_active, conversation.agent_id) == ("chat", False, agent.agent_id)
    assert conversation.text_messages_used == 4
    messages = db.session.scalars(select(Message).where(Message.session_id == conversation.session_id)
                                  .order_by(Message.timestamp)).all()
    assert [m.role for m in messages] == ["visitor", "agent", "visitor", "agent"]
    assert db.session.get(Visitor, conversation.visitor_id).email == "Ava@example.net"
    analysis = db.session.scalars(select(Analysis).where(Analysis.session_id == conversation.session_id)).one()
    assert analysis.intent == "pricing_question" and analysis.category == "sales"
    assert body["url"].endswith(f"/conversations/{conversation.session_id}")


def test_the_same_visitor_email_is_reused(api, customer):
    agent = factories.make_agent(customer)
    db.session.commit()
    assert api(chat(agent)).status_code == 201
    assert api(chat(agent)).status_code == 201
    assert db.session.scalar(select(func.count()).select_from(Visitor)) == 1


def test_another_customers_agent_is_404_and_nothing_is_stored(api, other_customer):
    agent = factories.make_agent(other_customer)
    db.session.commit()
    response = api(chat(agent))
    assert response.status_code == 404
    assert counts() == (0, 0, 0)


@pytest.mark.parametrize("break_it, field", [
    (lambda b: b["messages"][1].update(role="system"), "/messages/1/role"),
    (lambda b: b["messages"][2].update(timestamp=b["messages"][0]["timestamp"].replace("+00:00", "+01:00")),
     "/messages/2/timestamp"),
    (lambda b: b["messages"][1].update(timestamp="2026-05-01T09:00:00"), "/messages/1/timestamp"),
    (lambda b: b["messages"][0].update(content="x" * 10_001), "/messages/0/content"),
    (lambda b: b.update(messages=b["messages"] * 126), "/messages"),
    (lambda b: b.update(messages=[]), "/messages"),
    (lambda b: b.update(ended_at="2000-01-01T00:00:00Z"), "/ended_at"),
    (lambda b: b["visitor"].update(email="not an email"), "/visitor/email"),
    (lambda b: b.update(agent_id="one"), "/agent_id"),
    (lambda b: b.update(surprise=True), ""),
])
def test_invalid_chats_are_422_with_the_field_and_nothing_is_stored(api, customer, break_it, field):
    agent = factories.make_agent(customer)
    db.session.commit()
    body = chat(agent)
    break_it(body)
    response = api(body)
    assert response.status_code == 422, response.get_data(as_text=True)
    assert field in [error["path"] for error in response.json["errors"]], response.json
    assert counts() == (0, 0, 0)


def test_a_body_that_is_not_json_is_400(client, api, customer):
    _, secret = create_api_key(customer, "k")
    db.session.commit()
    response = client.post("/api/v1/conversations", data="hello", headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 400 and response.json["status"] == 400 and response.json["detail"]


def test_without_an_api_key_it_is_401(api, customer):
    agent = factories.make_agent(customer)
    db.session.commit()
    assert api(chat(agent), key=None).status_code == 401
    assert counts() == (0, 0, 0)


def test_a_chat_past_the_plans_messages_is_kept_and_flagged(client):
    customer = factories.make_customer(with_contract=False)
    factories.make_contract(customer, factories.make_plan(max_text_messages=5))
    agent = factories.make_agent(customer)
    _, secret = create_api_key(customer, "k")
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}
    first = client.post("/api/v1/conversations", json=chat(agent, count=4), headers=headers)
    second = client.post("/api/v1/conversations", json=chat(agent, count=4), headers=headers)
    assert (first.json["over_limit"], second.json["over_limit"]) == (False, True)
    assert db.session.get(Conversation, second.json["conversation_id"]).text_messages_used == 4


def test_a_posted_chat_appears_analysed_in_the_list_and_transcript(api, customer, login_as):
    agent = factories.make_agent(customer, "Web Chat")
    db.session.commit()
    conversation_id = api(chat(agent)).json["conversation_id"]
    client = login_as(customer)
    listing = client.get("/conversations/?channel=chat&category=sales").get_data(as_text=True)
    assert f'href="/conversations/{conversation_id}"' in listing and "Pricing question" in listing
    page = client.get(f"/conversations/{conversation_id}").get_data(as_text=True)
    assert "Hi, how much does a cleaning cost?" in page and "Ava Nguyen" in page
    assert "Pricing question" in page and "Re-run analysis" in page
