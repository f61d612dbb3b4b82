"""Ultravox webhooks: signed call events open and close conversations; forged, stale and replayed ones change nothing."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from dashboard.conversations.models import Analysis, Conversation, Message, Visitor
from dashboard.extensions import db
from tests import factories
from tests.conversations.conftest import WEBHOOK_SECRET
from tests.standins.fixtures import ULTRAVOX_KEY


@pytest.fixture
def app(make_app, ultravox):
    app = make_app(ULTRAVOX_API_KEY=ULTRAVOX_KEY, ULTRAVOX_API_BASE=ultravox.base_url,
                   ULTRAVOX_WEBHOOK_SECRET=WEBHOOK_SECRET)
    with app.app_context():
        yield app


def call(agent, call_id, **fields):
    return {"callId": call_id, "created": "2026-05-01T09:00:00Z", "joined": "2026-05-01T09:00:02Z",
            "ended": None, "billedDuration": None,
            "metadata": {"agent_id": str(agent.agent_id), "visitor_name": "Ava Nguyen",
                         "visitor_email": "ava@example.net", "visitor_phone": "+14155550142"},
            **fields}


MESSAGES_PAGE_1 = [
    {"role": "MESSAGE_ROLE_AGENT", "text": "Hello, how can I help?", "timespan": {"start": "0.5s", "end": "2s"},
     "callStageMessageIndex": 0},
    {"role": "MESSAGE_ROLE_USER", "text": "I'd like to book an appointment on Friday.",
     "timespan": {"start": "3s", "end": "5s"}, "callStageMessageIndex": 1},
    {"role": "MESSAGE_ROLE_TOOL_CALL", "text": '{"date": "Friday"}', "toolName": "check_availability",
     "invocationId": "inv-1", "callStageMessageIndex": 2},
]
MESSAGES_PAGE_2 = [
    {"role": "MESSAGE_ROLE_TOOL_RESULT", "text": '{"slots": ["09:30", "13:00"]}', "toolName": "check_availability",
     "invocationId": "inv-1", "callStageMessageIndex": 3},
    {"role": "MESSAGE_ROLE_AGENT", "text": "Friday at 9:30 is free. Shall I book it?",
     "timespan": {"start": "9s", "end": "11s"}, "callStageMessageIndex": 4},
    {"role": "MESSAGE_ROLE_USER", "text": "Yes please, that's great, thank you!",
     "timespan": {"start": "12s", "end": "13s"}, "callStageMessageIndex": 5},
]


def serve_messages(ultravox, call_id):
    ultravox.respond("GET", rf"/api/calls/{call_id}/messages", 200, {
        "results": MESSAGES_PAGE_1, "total": 6, "previous": None,
        "next": f"{ultravox.base_url}/api/calls/{call_id}/messages?cursor=page2&pageSize=200"})
    ultravox.respond("GET", rf"/api/calls/{call_id}/messages\?cursor=page2.*", 200, {
        "results": MESSAGES_PAGE_2, "total": 6, "previous": None, "next": None})


def requests_for(ultravox, call_id):
    return [r for r in ultravox.requests if call_id in r.path]


def test_call_started_opens_an_active_conversation_with_its_visitor(post_webhook, customer):
    agent = factories.make_agent(customer)
    db.session.commit()
    call_id = str(uuid.uuid4())
    response = post_webhook({"event": "call.started", "call": call(agent, call_id)})
    assert response.status_code == 200, response.get_data(as_text=True)
    conversation = db.session.scalars(select(Conversation).where(Conversation.ultravox_call_id == call_id)).one()
    assert conversation.is_active and conversation.ended_at is None
    assert (conversation.customer_id, conversation.agent_id, conversation.channel) == (
        customer.customer_id, agent.agent_id, "voice")
    visitor = db.session.get(Visitor, conversation.visitor_id)
    assert (visitor.name, visitor.email, visitor.phone, visitor.customer_id) == (
        "Ava Nguyen", "ava@example.net", "+14155550142", customer.customer_id)


def test_call_ended_stores_every_page_of_messages_minutes_and_analysis(post_webhook, customer, ultravox):
    agent = factories.make_agent(customer)
    db.session.commit()
    call_id = str(uuid.uuid4())
    serve_messages(ultravox, call_id)
    assert post_webhook({"event": "call.started", "call": call(agent, call_id)}).status_code == 200
    ended = call(agent, call_id, ended="2026-05-01T09:01:40Z", billedDuration="95.5s")
    response = post_webhook({"event": "call.ended", "call": ended})
    assert response.status_code == 200, response.get_data(as_text=True)

    conversation = db.session.scalars(select(Conversation).where(Conversation.ultravox_call_id == call_id)).one()
    assert not conversation.is_active
    assert conversation.ended_at == datetime(2026, 5, 1, 9, 1, 40, tzinfo=UTC)
    assert conversation.call_minutes_used == Decimal("1.59")  # 95.5 s
    messages = db.session.scalars(select(Message).where(Message.session_id == conversation.session_id)
                                  .order_by(Message.timestamp, Message.message_id)).all()
    assert [(m.role, m.tool_name) for m in messages] == [
        ("agent", None), ("visitor", None), ("tool_call", "check_availability"),
        ("tool_result", "check_availability"), ("agent", None), ("visitor", None)]
    assert messages[1].content == "I'd like to book an appointment on Friday."
    assert messages[1].timestamp == datetime(2026, 5, 1, 9, 0, 5, tzinfo=UTC)  # joined + 3 s
    analysis = db.session.scalars(select(Analysis).where(Analysis.session_id == conversation.session_id)).one()
    assert analysis.intent == "book_appointment" and analysis.sentiment > 0.2

    fetched = [r for r in requests_for(ultravox, call_id) if r.path.endswith("/messages")]
    assert len(fetched) == 2
    assert fetched[0].headers["X-API-Key"] == ULTRAVOX_KEY
    assert fetched[1].query["cursor"] == ["page2"]


def test_redelivered_call_ended_changes_nothing(post_webhook, customer, ultravox):
    agent = factories.make_agent(customer)
    db.session.commit()
    call_id = str(uuid.uuid4())
    serve_messages(ultravox, call_id)
    ended = {"event": "call.ended", "call": call(agent, call_id, ended="2026-05-01T09:01:40Z", billedDuration="60s")}
    assert post_webhook(ended).status_code == 200
    requests_before = len(requests_for(ultravox, call_id))
    again = post_webhook(ended)
    assert again.status_code == 200 and again.json["result"] == "unchanged"
    assert db.session.scalar(select(func.count()).select_from(Conversation)
                             .where(Conversation.ultravox_call_id == call_id)) == 1
    assert db.session.scalar(select(func.count()).select_from(Message)) == 6
    assert len(requests_for(ultravox, call_id)) == requests_before  # nothing fetched again


@pytest.mark.parametrize("tamper", ["forged", "stale", "future", "unsigned", "body_changed"])
def test_forged_and_stale_webhooks_are_refused_and_change_nothing(client, customer, tamper):
    import json

    from tests.conversations.conftest import sign

    agent = factories.make_agent(customer)
    db.session.commit()
    body = json.dumps({"event": "call.started", "call": call(agent, str(uuid.uuid4()))}).encode()
    now = datetime.now(UTC)
    timestamp = {"stale": now - timedelta(seconds=90), "future": now + timedelta(seconds=90)}.get(tamper, now).isoformat()
    signature = {"forged": sign(body, timestamp, secret="not-the-secret"), "unsigned": ""}.get(
        tamper, sign(body, timestamp))
    sent = body.replace(b"Ava", b"Eve") if tamper == "body_changed" else body
    response = client.post("/webhooks/ultravox", data=sent, content_type="application/json", headers={
        "X-Ultravox-Webhook-Timestamp": timestamp, "X-Ultravox-Webhook-Signature": signature})
    assert response.status_code == 401
    assert db.session.scalar(select(func.count()).select_from(Conversation)) == 0


def test_any_one_of_several_signatures_may_match(post_webhook, customer):
    agent = factories.make_agent(customer)
    db.session.commit()
    event = {"event": "call.started", "call": call(agent, str(uuid.uuid4()))}
    timestamp = datetime.now(UTC).isoformat()
    import json

    from tests.conversations.conftest import sign

    good = sign(json.dumps(event).encode(), timestamp)
    response = post_webhook(event, timestamp=timestamp, signature=f"{'0' * 64}, {good}")
    assert response.status_code == 200
    assert db.session.scalar(select(func.count()).select_from(Conversation)) == 1


def test_gateway_failure_answers_5xx_and_writes_nothing(post_webhook, customer, ultravox):
    agent = factories.make_agent(customer)
    db.session.commit()
    call_id = str(uuid.uuid4())
    assert post_webhook({"event": "call.started", "call": call(agent, call_id)}).status_code == 200
    ultravox.respond("GET", rf"/api/calls/{call_id}/messages", 500, {"detail": "boom"})
    response = post_webhook({"event": "call.ended", "call": call(agent, call_id, ended="2026-05-01T09:01:40Z",
                                                                  billedDuration="30s")})
    assert response.status_code == 502
    db.session.expire_all()
    conversation = db.session.scalars(select(Conversation).where(Conversation.ultravox_call_id == call_id)).one()
    assert conversation.is_active and conversation.ended_at is None
    assert conversation.call_minutes_used == 0
    assert db.session.scalar(select(func.count()).select_from(Message)) == 0
    assert db.session.scalar(select(func.count()).select_from(Analysis)) == 0


def test_call_ended_without_call_started_creates_the_conversation(post_webhook, customer, ultravox):
    agent = factories.make_agent(customer)
    db.session.commit()
    call_id = str(uuid.uuid4())
    serve_messages(ultravox, call_id)
    response = post_webhook({"event": "call.ended", "call": call(agent, call_id, ended="2026-05-01T09:01:40Z",
                                                                  billedDuration="120s")})
    assert response.status_code == 200
    conversation = db.session.scalars(select(Conversation).where(Conversation.ultravox_call_id == call_id)).one()
    assert conversation.call_minutes_used == Decimal("2.00") and not conversation.is_active


def test_a_call_past_the_plans_minutes_is_kept_and_flagged(post_webhook, make_app, ultravox):
    customer = factories.make_customer(with_contract=False)
    factories.make_contract(customer, factories.make_plan(max_call_minutes=1))
    agent = factories.make_agent(customer)
    db.session.commit()
    call_id = str(uuid.uuid4())
    serve_messages(ultravox, call_id)
    now = datetime.now(UTC)  # usage counts this period's conversations
    response = post_webhook({"event": "call.ended", "call": call(
        agent, call_id, created=now.isoformat(), joined=now.isoformat(), ended=now.isoformat(),
        billedDuration="95.5s")})
    assert response.status_code == 200
    conversation = db.session.scalars(select(Conversation).where(Conversation.ultravox_call_id == call_id)).one()
    assert conversation.over_limit is True
    assert db.session.scalar(select(func.count()).select_from(Message)) == 6


def test_an_unknown_agent_is_acknowledged_and_ignored(post_webhook, customer):
    agent = factories.make_agent(customer)
    db.session.commit()
    event = {"event": "call.started", "call": call(agent, str(uuid.uuid4()))}
    event["call"]["metadata"]["agent_id"] = "999999"
    response = post_webhook(event)
    assert response.status_code == 200 and response.json["result"] == "ignored"
    assert db.session.scalar(select(func.count()).select_from(Conversation)) == 0


def test_a_next_page_on_another_host_is_not_followed(post_webhook, customer, ultravox):
    agent = factories.make_agent(customer)
    db.session.commit()
    call_id = str(uuid.uuid4())
    ultravox.respond("GET", rf"/api/calls/{call_id}/messages", 200, {
        "results": MESSAGES_PAGE_1, "next": "http://attacker.example/steal?cursor=x", "previous": None})
    response = post_webhook({"event": "call.ended", "call": call(agent, call_id, ended="2026-05-01T09:01:40Z",
                                                                  billedDuration="10s")})
    assert response.status_code == 502
    assert db.session.scalar(select(func.count()).select_from(Conversation)) == 0


def test_webhooks_are_refused_when_no_secret_is_configured(make_app):
    app = make_app(ULTRAVOX_WEBHOOK_SECRET=None)
    response = app.test_client().post("/webhooks/ultravox", json={"event": "call.started"})
    assert response.status_code == 503


def test_the_recording_is_proxied_from_ultravox(login_as, customer, ultravox):
    call_id = str(uuid.uuid4())
    conversation = factories.make_conversation(customer, channel="voice", ultravox_call_id=call_id)
    db.session.commit()
    ultravox.respond("GET", rf"/api/calls/{call_id}/recording", 200, {"audio": "RIFF"})
    response = login_as(customer).get(f"/conversations/{conversation.session_id}/recording")
    assert response.status_code == 200
    assert response.get_json() == {"audio": "RIFF"}
    recorded = [r for r in requests_for(ultravox, call_id) if r.path.endswith("/recording")]
    assert recorded and recorded[-1].headers["X-API-Key"] == ULTRAVOX_KEY


def test_a_failing_recording_is_502_with_a_message(login_as, customer, ultravox):
    call_id = str(uuid.uuid4())
    conversation = factories.make_conversation(customer, channel="voice", ultravox_call_id=call_id)
    db.session.commit()
    ultravox.respond("GET", rf"/api/calls/{call_id}/recording", 404, {"detail": "Not found."})
    response = login_as(customer).get(f"/conversations/{conversation.session_id}/recording")
    assert response.status_code == 502
    assert "could not be loaded from Ultravox" in response.get_data(as_text=True)


def test_call_ended_while_redis_is_down_is_closed_and_analysed_once_redis_is_back(app, post_webhook, customer,
                                                                                  ultravox, tmp_path):
    """The issue found a 500 after the commit, then "unchanged" on redelivery, and no analysis ever."""
    from dashboard.jobs import Job, make_worker
    from dashboard.jobs.maintenance import sweep
    from tests.live_servers import RedisServer

    redis = RedisServer(tmp_path)
    redis.start()
    app.config["REDIS_URL"] = redis.url
    try:
        agent = factories.make_agent(customer)
        db.session.commit()
        call_id = str(uuid.uuid4())
        serve_messages(ultravox, call_id)
        redis.stop()
        ended = {"event": "call.ended", "call": call(agent, call_id, ended="2026-05-01T09:01:40Z")}
        response = post_webhook(ended)
        assert response.status_code == 200 and response.json["result"] == "closed"
        job = db.session.scalars(select(Job)).one()
        assert (job.kind, job.state, job.handed_over_at) == (
            "dashboard.conversations.analysis:analyze_conversation", "queued", None)

        redis.start()
        assert sweep().handed_over == 1
        make_worker(app).work(burst=True)
        db.session.expire_all()
        assert db.session.scalars(select(Analysis)).one().intent == "book_appointment"
        assert db.session.get(Job, job.job_id).state == "done"
    finally:
        redis.stop()
