"""The transcript page: chat, tool calls, analysis, emails, the visitor's other conversations, the recording."""
from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select

from dashboard.conversations.models import Analysis, Message
from dashboard.extensions import db
from tests import factories


def conversation_with_tools(customer, messages=4):
    agent = factories.make_agent(customer)
    visitor = factories.make_visitor(customer, name="Ava Nguyen")
    conversation = factories.make_conversation(customer, agent, visitor, messages=messages)
    at = conversation.created_at + timedelta(minutes=1)
    db.session.add_all([
        Message(session_id=conversation.session_id, role="tool_call", tool_name="check_availability",
                content=json.dumps({"date": "Friday"}), timestamp=at),
        Message(session_id=conversation.session_id, role="tool_result", tool_name="check_availability",
                content=json.dumps({"slots": ["09:30", "13:00"]}), timestamp=at + timedelta(seconds=1)),
    ])
    return conversation, agent, visitor


def test_the_transcript_shows_messages_tools_analysis_emails_and_other_conversations(login_as, customer):
    conversation, agent, visitor = conversation_with_tools(customer)
    earlier = factories.make_conversation(customer, agent, visitor, created_at=conversation.created_at - timedelta(days=3))
    template = factories.make_email_template(customer, agent)
    factories.make_email_log(customer, template, conversation, visitor, agent)
    db.session.commit()
    html = login_as(customer).get(f"/conversations/{conversation.session_id}").get_data(as_text=True)
    assert "Ava Nguyen" in html and "Message number 3" in html
    assert 'class="bubble visitor"' in html and 'class="bubble agent"' in html
    assert "check_availability" in html and "&#34;date&#34;: &#34;Friday&#34;" in html  # pretty JSON, escaped
    assert "&#34;slots&#34;: [\n" in html
    assert "The visitor booked a visit." in html and "Confirm by email" in html
    assert "Re-run analysis" in html
    assert "Thanks for calling" in html and "visitor@example.net" in html
    assert f'href="/conversations/{earlier.session_id}"' in html


def test_rerun_analysis_replaces_it(login_as, customer):
    conversation, _, _ = conversation_with_tools(customer)
    db.session.commit()
    client = login_as(customer)
    response = client.post(f"/conversations/{conversation.session_id}/analysis")
    assert response.status_code == 302
    db.session.expire_all()
    analysis = db.session.scalars(select(Analysis).where(Analysis.session_id == conversation.session_id)).one()
    assert analysis.call_summary != "The visitor booked a visit."  # the factory's text was replaced
    assert [d["role"] for d in analysis.sentiment_detailed] == ["visitor", "visitor"]
    assert "The analysis was run again." in client.get(response.location).get_data(as_text=True)


def test_the_recording_is_locked_without_the_plan_feature(client):
    customer = factories.make_customer(with_contract=False)
    factories.make_contract(customer, factories.make_plan(call_recordings=False))
    conversation = factories.make_conversation(customer, channel="voice",
                                               ultravox_call_id="6f1c0c9e-8f57-4d3a-9d8e-1c2b3a4d5e6f")
    db.session.commit()
    client.post("/auth/login", data={"email": customer.email, "password": factories.PASSWORD})
    html = client.get(f"/conversations/{conversation.session_id}").get_data(as_text=True)
    assert "Your plan does not include call recordings" in html and "<audio" not in html
    assert client.get(f"/conversations/{conversation.session_id}/recording").status_code == 403


def test_without_ultravox_the_page_says_so(login_as, customer):
    conversation = factories.make_conversation(customer, channel="voice",
                                               ultravox_call_id="6f1c0c9e-8f57-4d3a-9d8e-1c2b3a4d5e6f")
    db.session.commit()
    html = login_as(customer).get(f"/conversations/{conversation.session_id}").get_data(as_text=True)
    assert "Ultravox, which is not configured here" in html


def test_the_number_of_queries_does_not_grow_with_messages(login_as, customer, count_queries):
    client = login_as(customer)

    def queries_for(conversation):
        db.session.commit()
        with count_queries() as statements:
            assert client.get(f"/conversations/{conversation.session_id}").status_code == 200
        return len(statements)

    small, agent, visitor = conversation_with_tools(customer, messages=2)
    big, _, _ = conversation_with_tools(customer, messages=60)
    for _ in range(5):
        factories.make_conversation(customer, agent, visitor)
        template = factories.make_email_template(customer, agent)
        factories.make_email_log(customer, template, big, visitor, agent)
    assert queries_for(big) == queries_for(small)


def test_rerun_analysis_while_redis_is_down_is_queued_not_a_500(login_as, customer, app):
    from dashboard.jobs import Job

    app.config["REDIS_URL"] = "redis://127.0.0.1:9/0"  # configured, nothing listening
    conversation, _, _ = conversation_with_tools(customer)
    db.session.commit()
    client = login_as(customer)
    response = client.post(f"/conversations/{conversation.session_id}/analysis")
    assert response.status_code == 302
    assert "being run again" in client.get(response.location).get_data(as_text=True)
    assert db.session.scalars(select(Job)).one().state == "queued"  # the worker's sweep hands it over later


def test_a_chat_is_titled_chat_with_its_visitor_and_offers_no_recording(login_as, customer):
    conversation, _, _ = conversation_with_tools(customer)  # a chat with Ava Nguyen
    db.session.commit()
    html = login_as(customer).get(f"/conversations/{conversation.session_id}").get_data(as_text=True)
    assert "<title>Chat with Ava Nguyen · AngelCX</title>" in html and "<h1>Chat with Ava Nguyen</h1>" in html
    assert "chat chat" not in html.lower()
    assert "<h2>Recording</h2>" not in html and 'class="hint locked"' not in html  # a chat has no recording


def test_the_analysis_comes_before_the_transcript_in_reading_order(login_as, customer):
    conversation, _, _ = conversation_with_tools(customer)
    db.session.commit()
    html = login_as(customer).get(f"/conversations/{conversation.session_id}").get_data(as_text=True)
    assert html.index("The visitor booked a visit.") < html.index("<h2>Transcript</h2>") < html.index("<h2>Visitor</h2>")
