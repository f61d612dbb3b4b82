"""What a search matches, the same on SQLite (FTS5) and PostgreSQL (a vector per conversation narrowing the
candidates, then its messages): a conversation matches when ONE of its messages matches the query; the list and
the capped count agree; the search follows messages as they are added, changed and deleted, however written."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, insert, select, text, update

from dashboard import create_app
from dashboard.conversations import search
from dashboard.conversations.models import Conversation, Message
from dashboard.extensions import db
from tests import factories
from tests.conftest import own_database
from tests.querycount import counting_queries


def _said(conversation, *lines):
    db.session.add_all(Message(session_id=conversation.session_id, role="visitor", content=line,
                               timestamp=conversation.created_at + timedelta(seconds=i))
                       for i, line in enumerate(lines))


def _found(customer, q: str, **filters) -> set[int]:
    """The ids on the list for `q`, after checking that the count says as many and that the list is the same
    whichever way PostgreSQL pages it (from the few matches' ids, or walking the conversations)."""
    listed = {row[0].session_id for row in search.page(customer.customer_id, search.Filters(q=q, **filters), None).rows}
    walked = search.page(customer.customer_id, search.Filters(q=q, **filters), None, few_matches=0).rows
    assert {row[0].session_id for row in walked} == listed, q
    assert search.count(customer.customer_id, search.Filters(q=q, **filters)) == len(listed), q
    return listed


def test_every_word_must_be_in_one_message_not_spread_over_the_conversation(customer):
    together = factories.make_conversation(customer, messages=0)
    _said(together, "Is the entrance wheelchair accessible?")
    apart = factories.make_conversation(customer, messages=0, channel="voice")
    _said(apart, "I use a wheelchair.", "Is the building accessible from the car park?")
    phrase = factories.make_conversation(customer, messages=0)
    _said(phrase, "Can I get my money back?", "Back in a minute with the money")
    db.session.commit()

    assert _found(customer, "wheelchair") == {together.session_id, apart.session_id}  # one word: anywhere
    assert _found(customer, "wheelchair accessible") == {together.session_id}  # both words: in one message
    assert _found(customer, "wheelchair accessible", channel="voice") == set()
    assert _found(customer, '"money back"') == {phrase.session_id}
    assert _found(customer, '"wheelchair accessible"') == {together.session_id}
    assert _found(customer, "follow-up") == set()
    # Operators differ by database (PostgreSQL's websearch syntax knows "or" and "-word", FTS5 here takes every
    # word literally); on each, the count still agrees with the list.
    for operators in ("car or entrance", "wheelchair -building", '"back money"'):
        _found(customer, operators)


def test_the_search_follows_messages_added_changed_and_deleted(customer):
    conversation = factories.make_conversation(customer, messages=0)
    _said(conversation, "Do you open on Sundays?")
    db.session.commit()
    assert _found(customer, "sunday") == {conversation.session_id}

    # A bulk insert (Core, several conversations at once), as the seed and imports write.
    other = factories.make_conversation(customer, messages=0)
    db.session.execute(insert(Message), [
        {"session_id": conversation.session_id, "role": "agent", "content": "Yes, with a dentist on call",
         "timestamp": conversation.created_at + timedelta(minutes=1)},
        {"session_id": other.session_id, "role": "visitor", "content": "Is a dentist in on Sundays?",
         "timestamp": other.created_at},
    ])
    db.session.commit()
    assert _found(customer, "dentist") == {conversation.session_id, other.session_id}
    assert _found(customer, "dentist sunday") == {other.session_id}

    db.session.execute(update(Message).where(Message.session_id == other.session_id)
                       .values(content="Is an orthodontist in on Saturdays?"))
    db.session.commit()
    assert _found(customer, "dentist") == {conversation.session_id}
    assert _found(customer, "orthodontist saturday") == {other.session_id}

    db.session.execute(delete(Message).where(Message.session_id == conversation.session_id,
                                             Message.content.like("Do you open%")))
    db.session.commit()
    assert _found(customer, "sunday") == set()
    assert _found(customer, "dentist") == {conversation.session_id}


@pytest.fixture
def old_database(tmp_path):
    with own_database(tmp_path / "old.sqlite3", prefix="angelcx_search_vector") as url:
        yield url


def test_conversations_stored_before_the_search_vector_are_found_after_the_upgrade(old_database):
    from flask_migrate import downgrade, upgrade

    app = create_app({"SQLALCHEMY_DATABASE_URI": old_database, "TESTING": True,
                      "SECRET_KEY": "test-secret-key-0123456789"})
    with app.app_context():
        upgrade(revision="8c1f4e2a9b35")
        db.session.execute(text(
            "INSERT INTO customer (name, email, onboarding_step, created_at, updated_at) "
            "VALUES ('Old', 'old@example.com', 'done', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"))
        customer_id = db.session.execute(text("SELECT customer_id FROM customer")).scalar()
        for words in ("wheelchair access at the back", "no parking"):
            db.session.execute(text(
                "INSERT INTO session (customer_id, channel, is_active, created_at, call_minutes_used, "
                "text_messages_used, over_limit) VALUES (:c, 'chat', false, CURRENT_TIMESTAMP, 0, 1, false)"),
                {"c": customer_id})
            session_id = db.session.execute(text("SELECT max(session_id) FROM session")).scalar()
            db.session.execute(text("INSERT INTO message (session_id, role, content, timestamp) "
                                    "VALUES (:s, 'visitor', :words, CURRENT_TIMESTAMP)"),
                               {"s": session_id, "words": words})
        db.session.commit()

        upgrade()
        filters = search.Filters(q="wheelchair accessible")
        [found] = [row[0].session_id for row in search.page(customer_id, filters, None).rows]
        assert search.count(customer_id, filters) == 1
        assert search.count(customer_id, search.Filters(q="parking")) == 1
        db.session.commit()

        downgrade(revision="8c1f4e2a9b35")  # down and up again: the vectors are rebuilt from the messages
        upgrade()
        assert search.count(customer_id, filters) == 1
        db.session.remove()
        db.engine.dispose()


def test_a_search_count_starts_from_the_conversations_vector_on_postgresql_and_fts5_on_sqlite(customer):
    """The count stops at its cap from an index over conversations (PostgreSQL) or the streamed FTS5 matches
    (SQLite), never after reading every matching message (384 ms for two common words at 114k conversations)."""
    _said(factories.make_conversation(customer, messages=0), "wheelchair accessible")
    db.session.commit()
    with counting_queries() as statements:
        assert search.count(customer.customer_id, search.Filters(q="wheelchair accessible", channel="chat")) == 1
    [count] = [s for s in statements if "count(" in s]
    if db.engine.dialect.name == "postgresql":
        assert "session_search.words @@" in count and "IN (SELECT message.session_id" not in count
    else:
        assert "message_fts MATCH" in count


def test_several_words_are_found_in_one_message_of_a_long_conversation(customer):
    """PostgreSQL keeps 256 positions per word in a vector: in a conversation of more messages the search reads
    the messages instead, so a word said in every message and another said once with it are still found."""
    long = factories.make_conversation(customer, messages=0)
    lines = [f"About the appointment, part {i}" for i in range(300)]
    lines[290] = "The appointment was charged twice"
    db.session.execute(insert(Message), [  # one statement: the messages are numbered within it
        {"session_id": long.session_id, "role": "visitor", "content": line,
         "timestamp": long.created_at + timedelta(seconds=i)} for i, line in enumerate(lines)])
    apart = factories.make_conversation(customer, messages=0)
    db.session.execute(insert(Message), [
        {"session_id": apart.session_id, "role": "visitor", "content": line, "timestamp": apart.created_at}
        for line in ("My appointment is on Monday", "I was charged twice")])
    db.session.commit()
    assert _found(customer, "appointment charged") == {long.session_id}
    assert _found(customer, "monday charged") == set()

    _said(long, "And the parking was charged too")  # message 301, added on its own
    db.session.commit()
    assert _found(customer, "parking charged") == {long.session_id}
    assert _found(customer, "parking twice") == set()


@pytest.mark.parametrize("q", ["appointment charged", "appointment -charged"])
def test_several_words_are_checked_in_the_conversations_vector_without_reading_its_messages(customer, q):
    """PostgreSQL: the vector places each message's words at that message's number, so "these words in one
    message" (and "this word without that one") is decided there; the messages were read for every candidate
    (~28 µs each, 400 ms for two words sharing 14k conversations at 114k), or every matching message when a word
    was negated. SQLite's FTS5 matches messages to begin with."""
    for _ in range(20):
        _said(factories.make_conversation(customer, messages=0), "I need an appointment", "Why was I charged?")
    db.session.commit()
    filters = search.Filters(q=q)
    if db.engine.dialect.name != "postgresql":
        assert search.count(customer.customer_id, filters) == 0  # FTS5: both words literally, in one message
        assert "message_fts" in str(search.conditions(customer.customer_id, filters)[-1].compile())
        return
    assert search.count(customer.customer_id, filters) == (20 if "-" in q else 0)
    matching = select(Conversation.session_id).where(*search.conditions(customer.customer_id, filters))
    compiled = matching.compile(db.engine)
    plan = db.session.connection().exec_driver_sql(f"EXPLAIN (ANALYZE, FORMAT JSON) {compiled}", compiled.params).scalar()
    loops = [node.get("Actual Loops", 0) for node in _plan_nodes(plan[0]["Plan"])
             if node.get("Relation Name") == "message" or node.get("Index Name", "").startswith("ix_message")]
    assert loops and not any(loops), plan  # the messages' check is in the plan, and never runs


def test_negated_words_exclude_messages_not_conversations(customer):
    """"appointment -charged": a message with the one word and without the other (PostgreSQL's websearch syntax;
    FTS5 here takes every word literally, so on SQLite both words must be in one message)."""
    apart = factories.make_conversation(customer, messages=0)
    _said(apart, "I need an appointment", "Why was I charged?")
    together = factories.make_conversation(customer, messages=0)
    _said(together, "My appointment was charged twice")
    both = factories.make_conversation(customer, messages=0)
    _said(both, "My appointment was charged twice", "Another appointment please")
    money = factories.make_conversation(customer, messages=0)
    _said(money, "Money back for the appointment")
    words = factories.make_conversation(customer, messages=0)
    _said(words, "Back to the appointment, money in hand")
    db.session.commit()
    ids = {name: c.session_id for name, c in
           {"apart": apart, "together": together, "both": both, "money": money, "words": words}.items()}
    if db.engine.dialect.name == "postgresql":
        expected = {"appointment -charged": {"apart", "both", "money", "words"},
                    'appointment -"money back"': {"apart", "together", "both", "words"},  # words apart: no phrase
                    "-charged": {"apart", "both", "money", "words"},  # a message without the word
                    "the -charged": {"apart", "both", "money", "words"},  # "the" is no word to look for
                    "twice or -appointment": {"apart", "together", "both"}}
    else:
        expected = {"appointment -charged": {"together", "both"},
                    'appointment -"money back"': {"money", "words"},
                    "-charged": {"apart", "together", "both"},
                    "the -charged": set(),  # FTS5 keeps "the"
                    "twice or -appointment": set()}
    for q, names in expected.items():
        assert _found(customer, q) == {ids[name] for name in names}, q


def _plan_nodes(node):
    yield node
    for child in node.get("Plans", []):
        yield from _plan_nodes(child)
