"""End to end: a chat posted over the API is analysed, its follow-up email arrives over SMTP, and the transcript lists it."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from dashboard.conversations.models import Conversation
from dashboard.emails.models import EmailLog
from dashboard.extensions import db
from dashboard.jobs import make_worker
from tests import factories
from tests.emails.conftest import smtp_settings


def chat_for(agent) -> dict:
    start = datetime.now(UTC) - timedelta(minutes=5)
    lines = ["Hi, how much does a cleaning cost?", "A cleaning is $120.", "Can I book one for Tuesday?",
             "Booked: Tuesday at 10am."]
    return {"agent_id": agent.agent_id, "visitor": {"name": "Ava Nguyen", "email": "ava@example.net"},
            "messages": [{"role": "visitor" if i % 2 == 0 else "agent", "content": line,
                          "timestamp": (start + timedelta(seconds=10 * i)).isoformat()} for i, line in enumerate(lines)],
            "ended_at": (start + timedelta(seconds=60)).isoformat()}


def test_a_posted_chat_ends_with_its_follow_up_email(login_as, client, customer, smtp):
    agent = factories.make_agent(customer, name="Front Desk")
    factories.make_email_template(customer, agent, email_subject="Thanks for chatting, {{visitor_name}}",
                                  email_body="Hi {{visitor_name}}, here is what we discussed: {{call_summary}}")
    _, secret = factories.make_api_key(customer)

    response = client.post("/api/v1/conversations", json=chat_for(agent), headers={"Authorization": f"Bearer {secret}"})
    assert response.status_code == 201, response.get_data(as_text=True)
    conversation = db.session.get(Conversation, response.json["conversation_id"])

    [message] = smtp.messages
    assert message["To"] == "ava@example.net" and message["Subject"] == "Thanks for chatting, Ava Nguyen"
    summary = conversation.analysis.call_summary
    assert summary and f"here is what we discussed: {summary}" in " ".join(message.get_content().split())
    entry = db.session.scalars(select(EmailLog)).one()
    assert (entry.session_id, entry.status, entry.visitor_id) == (conversation.session_id, "sent",
                                                                  conversation.visitor_id)

    page = login_as(customer).get(f"/conversations/{conversation.session_id}").get_data(as_text=True)
    assert "Thanks for chatting, Ava Nguyen" in page and "to ava@example.net" in page

    # Running the analysis again (the transcript's button) sends nothing new.
    assert login_as(customer).post(f"/conversations/{conversation.session_id}/analysis").status_code == 302
    assert len(smtp.messages) == 1


def test_with_redis_the_follow_up_is_sent_by_the_worker(make_app, smtp, tmp_path, redis_url):
    from redis import Redis

    queue = f"angelcx-test-{uuid.uuid4().hex[:8]}"
    app = make_app(**smtp_settings(smtp, tmp_path), REDIS_URL=redis_url, JOBS_QUEUE=queue)
    try:
        with app.app_context():
            customer = factories.make_customer()
            agent = factories.make_agent(customer)
            factories.make_email_template(customer, agent)
            _, secret = factories.make_api_key(customer)
            client = app.test_client()
            response = client.post("/api/v1/conversations", json=chat_for(agent),
                                   headers={"Authorization": f"Bearer {secret}"})
            assert response.status_code == 201
            assert smtp.messages == []  # queued, not sent by the request
            make_worker(app).work(burst=True)  # the analysis, then the follow-up it queues
            assert [m["To"] for m in smtp.messages] == ["ava@example.net"]
            db.session.expire_all()
            assert db.session.scalars(select(EmailLog)).one().session_id == response.json["conversation_id"]
    finally:
        Redis.from_url(redis_url).delete(f"rq:queue:{queue}")
