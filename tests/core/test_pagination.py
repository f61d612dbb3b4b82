"""Keyset pages: every row once, no next page after exactly one page, and cursors that refuse garbage."""
import base64
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from dashboard.conversations.models import Conversation
from dashboard.crm.models import Lead
from dashboard.extensions import db
from dashboard.pagination import InvalidCursor, decode_cursor, encode_cursor, keyset_page
from tests import factories

CONVERSATION_ORDER = (Conversation.created_at, Conversation.session_id)
LEAD_ORDER = (Lead.lead_id,)


def raw_cursor(values) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def test_a_timestamp_cursor_round_trips_exactly_as_utc():
    moment = datetime(2026, 5, 1, 9, 30, 15, 123456, tzinfo=timezone(timedelta(hours=2)))
    cursor = encode_cursor([moment, 42])
    assert cursor.isascii() and "=" not in cursor and "+" not in cursor and "/" not in cursor
    decoded = decode_cursor(cursor, CONVERSATION_ORDER)
    assert decoded == (moment, 42) and decoded[0].tzinfo == UTC and decoded[0].microsecond == 123456


@pytest.mark.parametrize("cursor", [
    "\x00", "²", "abc²", "lead_12", "!!!!", "a" * 300, "eyJ",  # not URL-safe base64 of JSON
    raw_cursor([1, 2]), raw_cursor([]), raw_cursor({"id": 1}),  # wrong arity or shape
    raw_cursor(["12"]), raw_cursor([True]), raw_cursor([1.5]), raw_cursor([None]),  # wrong types
    raw_cursor([2**63]), raw_cursor([10**40]),  # numbers no column holds
])
def test_an_id_cursor_refuses_garbage(cursor):
    with pytest.raises(InvalidCursor):
        decode_cursor(cursor, LEAD_ORDER)


@pytest.mark.parametrize("values", [
    ["2026-05-01T09:30:00", 1],  # naive: no timezone
    ["２０２６-05-01T09:30:00+00:00", 1],  # non-ASCII digits
    ["2026-13-45T00:00:00+00:00", 1], ["yesterday", 1], [1714555800, 1], ["2026-05-01T09:30:00+00:00", "1"],
    ["2026-05-01T09:30:00+00:00\x00", 1],
])
def test_a_timestamp_cursor_refuses_garbage(values):
    with pytest.raises(InvalidCursor):
        decode_cursor(raw_cursor(values), CONVERSATION_ORDER)


def test_a_list_of_exactly_one_page_has_no_next_page(app, customer):
    for _ in range(3):
        factories.make_lead(customer)
    db.session.commit()
    page = keyset_page(Lead.owned_select(customer.customer_id), LEAD_ORDER, limit=3)
    assert len(page.rows) == 3 and not page.has_more and page.next_cursor is None


def test_pages_cover_every_row_once_newest_first_with_ties_broken_by_id(app, customer):
    at = datetime.now(UTC).replace(microsecond=654321)
    made = [factories.make_conversation(customer, messages=0, analysed=False, created_at=at - timedelta(seconds=i // 2))
            for i in range(7)]  # pairs share a timestamp
    db.session.commit()
    query = Conversation.owned_select(customer.customer_id)
    seen, cursor = [], None
    while True:
        page = keyset_page(query, CONVERSATION_ORDER, cursor, limit=2)
        assert all(isinstance(row, Conversation) for row in page.rows)  # a select of one entity gives entities
        seen += [conversation.session_id for conversation in page.rows]
        if not page.has_more:
            break
        cursor = page.next_cursor
    expected = sorted(made, key=lambda c: (c.created_at, c.session_id), reverse=True)
    assert seen == [c.session_id for c in expected]


def test_ascending_pages_start_after_the_cursor(app, customer):
    leads = [factories.make_lead(customer) for _ in range(3)]
    db.session.commit()
    page = keyset_page(Lead.owned_select(customer.customer_id), LEAD_ORDER, encode_cursor([leads[0].lead_id]),
                       limit=5, ascending=True)
    assert [lead.lead_id for lead in page.rows] == [leads[1].lead_id, leads[2].lead_id]
