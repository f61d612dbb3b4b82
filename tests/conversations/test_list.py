"""The conversations list: every filter, full-text search, keyset pages, HTMX fragments, constant queries."""
from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert

from dashboard.conversations import search
from dashboard.conversations.models import Conversation, Message
from dashboard.extensions import db
from tests import factories


def ids_on(response) -> list[int]:
    return [int(i) for i in re.findall(r'href="/conversations/(\d+)"', response.get_data(as_text=True))]


def test_the_list_shows_only_my_conversations_newest_first(login_as, customer, other_customer):
    agent = factories.make_agent(customer)
    older = factories.make_conversation(customer, agent, created_at=datetime.now(UTC) - timedelta(days=2))
    newer = factories.make_conversation(customer, agent)
    factories.make_conversation(other_customer, factories.make_agent(other_customer))
    db.session.commit()
    response = login_as(customer).get("/conversations/")
    assert response.status_code == 200
    assert ids_on(response) == [newer.session_id, older.session_id]
    assert "2</strong>" in response.get_data(as_text=True)  # the count


def test_the_empty_state_points_to_agents(login_as, customer):
    response = login_as(customer).get("/conversations/")
    assert "No conversations yet" in response.get_data(as_text=True)


def test_each_filter_narrows_the_list(login_as, customer):
    front, sales = factories.make_agent(customer, "Front Desk"), factories.make_agent(customer, "Sales")
    now = datetime.now(UTC)
    voice = factories.make_conversation(customer, front, channel="voice", created_at=now - timedelta(days=10))
    chat = factories.make_conversation(customer, sales, created_at=now - timedelta(hours=2))
    active = factories.make_conversation(customer, front, analysed=False)
    active.is_active, active.ended_at = True, None
    over = factories.make_conversation(customer, sales, over_limit=True, created_at=now - timedelta(hours=3))
    chat.analysis.sentiment, chat.analysis.intent, chat.analysis.category = -0.5, "complaint", "complaint"
    over.analysis.sentiment = 0.0
    db.session.commit()
    client = login_as(customer)
    day = (now - timedelta(days=10)).date().isoformat()
    expectations = {
        f"agent={front.agent_id}": {voice, active},
        "channel=voice": {voice},
        "channel=chat": {chat, active, over},
        "status=active": {active},
        "status=ended": {voice, chat, over},
        "sentiment=negative": {chat},
        "sentiment=neutral": {over},
        "sentiment=positive": {voice},
        "intent=complaint": {chat},
        "category=scheduling": {voice, over},
        "over_limit=y": {over},
        f"start={day}&end={day}": {voice},
    }
    for query, expected in expectations.items():
        response = client.get(f"/conversations/?{query}")
        assert response.status_code == 200, query
        assert set(ids_on(response)) == {c.session_id for c in expected}, query


def test_full_text_search_finds_words_in_messages(login_as, customer):
    refund = factories.make_conversation(customer, messages=0)
    other = factories.make_conversation(customer, messages=0)
    db.session.add_all([
        Message(session_id=refund.session_id, role="visitor", content="I want my money back, refunds please!",
                timestamp=refund.created_at),
        Message(session_id=other.session_id, role="visitor", content="Do you open on Sundays?",
                timestamp=other.created_at),
    ])
    db.session.commit()
    client = login_as(customer)
    assert ids_on(client.get("/conversations/?q=refund")) == [refund.session_id]  # stemmed
    assert ids_on(client.get("/conversations/?q=money+back")) == [refund.session_id]
    assert ids_on(client.get("/conversations/?q=sunday")) == [other.session_id]
    for awkward in ['"', "AND (", "refund*", "-", "'; drop table message; --"]:
        assert client.get("/conversations/", query_string={"q": awkward}).status_code == 200, awkward
    # A search's count is loaded after its rows, from the count fragment the page points to.
    page = client.get("/conversations/?q=refund&channel=chat").get_data(as_text=True)
    assert "Counting matches" in page and 'hx-get="/conversations/count?q=refund&amp;channel=chat"' in page
    count = client.get("/conversations/count?q=refund&channel=chat").get_data(as_text=True)
    assert "<strong>1</strong>" in count and "conversation match" in count
    assert client.get("/conversations/count?start=nope").status_code == 422


def test_a_search_counts_each_matching_conversation_once_with_every_filter(login_as, customer, other_customer):
    """The count of a search (driven from the matching messages on SQLite, from the conversations on PostgreSQL)
    equals the list: a conversation with several matching messages counts once, filters and the customer apply."""
    def said(conversation, *lines):
        db.session.add_all(Message(session_id=conversation.session_id, role="visitor", content=line,
                                   timestamp=conversation.created_at + timedelta(seconds=i)) for i, line in enumerate(lines))

    twice = factories.make_conversation(customer, messages=0)
    said(twice, "A refund please", "Still waiting for the refund")
    negative = factories.make_conversation(customer, messages=0, channel="voice")
    said(negative, "Refunds take too long")
    negative.analysis.sentiment = -0.6
    said(factories.make_conversation(customer, messages=0), "Do you open on Sundays?")
    said(factories.make_conversation(other_customer, messages=0), "refund refund refund")
    db.session.commit()
    client = login_as(customer)
    for query, expected in [("q=refund", 2), ("q=refund&sentiment=negative", 1), ("q=refund&channel=chat", 1),
                            ("q=refund&channel=voice&sentiment=positive", 0), ("q=sunday", 1), ("q=pineapple", 0)]:
        assert len(ids_on(client.get(f"/conversations/?{query}"))) == expected, query
        count = client.get(f"/conversations/count?{query}").get_data(as_text=True)
        assert f"<strong>{expected}</strong>" in count, (query, count)
    # Counting stops one past the cap, whichever side it is driven from.
    started = datetime.now(UTC) - timedelta(days=1)
    ids = db.session.scalars(insert(Conversation).returning(Conversation.session_id), [
        {"customer_id": customer.customer_id, "channel": "chat", "is_active": False, "created_at": started,
         "ended_at": started, "call_minutes_used": 0, "text_messages_used": 1} for _ in range(search.COUNT_CAP + 2)
    ]).all()
    db.session.execute(insert(Message), [{"session_id": i, "role": "visitor", "content": "refund", "timestamp": started}
                                         for i in ids])
    db.session.commit()
    assert search.count(customer.customer_id, search.Filters(q="refund")) == search.COUNT_CAP + 1


def test_search_never_finds_another_customers_messages(login_as, customer, other_customer):
    theirs = factories.make_conversation(other_customer, messages=0)
    db.session.add(Message(session_id=theirs.session_id, role="visitor", content="secret pineapple",
                           timestamp=theirs.created_at))
    db.session.commit()
    assert ids_on(login_as(customer).get("/conversations/?q=pineapple")) == []


def test_keyset_pages_cover_every_conversation_once(login_as, customer):
    start = datetime.now(UTC) - timedelta(days=1)
    made = [factories.make_conversation(customer, messages=0, analysed=False, created_at=start + timedelta(minutes=i))
            for i in range(55)]
    # Two conversations at the same instant: the session_id breaks the tie.
    made.append(factories.make_conversation(customer, messages=0, analysed=False, created_at=made[10].created_at))
    db.session.commit()
    client = login_as(customer)
    first = client.get("/conversations/?channel=chat")
    seen = ids_on(first)
    assert len(seen) == 50
    cursor = re.search(r'cursor=([\w-]+)', first.get_data(as_text=True)).group(1)
    assert "channel=chat" in re.search(r'href="([^"]*cursor=[^"]*)"', first.get_data(as_text=True)).group(1)
    more = client.get(f"/conversations/?channel=chat&cursor={cursor}", headers={"HX-Request": "true",
                                                                                 "HX-Target": "load-more"})
    assert "<html" not in more.get_data(as_text=True) and "<tr" in more.get_data(as_text=True)
    seen += ids_on(more)
    assert "Load more" not in more.get_data(as_text=True)
    assert sorted(seen) == sorted(c.session_id for c in made) and len(set(seen)) == len(seen)


def test_htmx_filter_requests_get_the_results_fragment(login_as, customer):
    factories.make_conversation(customer)
    db.session.commit()
    response = login_as(customer).get("/conversations/?channel=chat", headers={"HX-Request": "true",
                                                                              "HX-Target": "results"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html and 'id="filters"' not in html
    assert "conversation-rows" in html and "export.csv?channel=chat" in html


def test_invalid_filters_are_422_with_a_message(login_as, customer):
    agent = factories.make_agent(factories.make_customer())
    db.session.commit()
    client = login_as(customer)
    for query, message in [("start=yesterday", "Enter a date for"),
                           ("start=2026-05-02&end=2026-05-01", "end date is before the start date"),
                           (f"agent={agent.agent_id}", "Choose one of the options offered"),
                           ("cursor=abc", "page link is not valid")]:
        response = client.get(f"/conversations/?{query}")
        assert response.status_code == 422, query
        assert message in response.get_data(as_text=True), query


def test_the_number_of_queries_does_not_grow_with_rows(login_as, customer, count_queries):
    client = login_as(customer)
    agent = factories.make_agent(customer)
    visitor = factories.make_visitor(customer)

    def queries_for_list():
        db.session.commit()
        with count_queries() as statements:
            assert client.get("/conversations/?q=message").status_code == 200
        return len(statements)

    for _ in range(2):
        factories.make_conversation(customer, agent, visitor)
    few = queries_for_list()
    for _ in range(25):
        factories.make_conversation(customer, agent, factories.make_visitor(customer))
    assert queries_for_list() == few
