"""Search results show each conversation's matching passage with the searched words marked, and nothing else as HTML."""
from __future__ import annotations

import re

from dashboard.conversations import snippets
from dashboard.conversations.models import Message
from dashboard.extensions import db
from tests import factories


def add_message(conversation, content: str) -> None:
    db.session.add(Message(session_id=conversation.session_id, role="visitor", content=content,
                           timestamp=conversation.created_at))


def test_each_result_shows_its_matching_passage_with_the_words_marked(login_as, customer):
    refund = factories.make_conversation(customer, messages=0)
    add_message(refund, "Hello, I have a question about opening hours.")
    add_message(refund, "Could I get a refund for the cleaning last Tuesday? It was cancelled.")
    other = factories.make_conversation(customer, messages=0)
    add_message(other, "Do you open on Sundays?")
    db.session.commit()

    page = login_as(customer).get("/conversations/?q=refund+cleaning").get_data(as_text=True)
    passages = re.findall(r'<p class="snippet-passage">(.*?)</p>', page, re.S)
    assert len(passages) == 1
    assert "<mark>refund</mark>" in passages[0] and "<mark>cleaning</mark>" in passages[0]
    assert "opening hours" not in passages[0]  # the matching message, not the conversation's first
    assert "snippet-passage" not in login_as(customer).get("/conversations/").get_data(as_text=True)


def test_a_passage_is_escaped_and_only_mark_reaches_the_page(login_as, customer):
    hostile = factories.make_conversation(customer, messages=0)
    add_message(hostile, 'My refund <script>alert("x")</script> & <b onclick="y">tip</b> \x02not a mark\x03 please')
    db.session.commit()

    page = login_as(customer).get("/conversations/?q=refund").get_data(as_text=True)
    passage = re.search(r'<p class="snippet-passage">(.*?)</p>', page, re.S).group(1)
    assert "<mark>refund</mark>" in passage
    assert "&amp;" in passage and "alert(" in passage
    if db.engine.dialect.name == "sqlite":  # snippet() keeps the text as written: escaped here
        assert "&lt;script&gt;" in passage and "&lt;b onclick" in passage
    else:  # ts_headline's parser reads tags as markup and leaves them out of the passage
        assert "script" not in passage and "onclick" not in passage
    assert set(re.findall(r"</?([a-zA-Z]+)", passage)) == {"mark"}
    assert "<script>alert" not in page and "\x02" not in passage and "\x03" not in passage


def test_unpaired_marks_never_leave_an_element_open():
    assert snippets.highlighted("a \x02b\x03 c \x03d") == "a <mark>b</mark> c d"
    assert snippets.highlighted("\x02<i>") == "<mark>&lt;i&gt;</mark>"


def test_one_query_makes_every_passage_of_a_page(login_as, customer, count_queries):
    conversations = []
    for n in range(30):
        conversation = factories.make_conversation(customer, messages=0)
        add_message(conversation, f"Question {n}: can I get a refund?")
        add_message(conversation, "And another refund, please.")
        conversations.append(conversation)
    ids = [conversation.session_id for conversation in conversations]
    db.session.commit()
    with count_queries() as statements:
        found = snippets.passages(ids, "refund")
    assert len(statements) == 1
    assert len(found) == 30 and all("<mark>refund</mark>" in passage for passage in found.values())
    assert "Question 7" in found[ids[7]]


def interleaved_chats(customer, script: list[tuple[int, str]]) -> list:
    """Conversations whose messages are written in the order of `script` (chat number, text), so that the message
    ids of one conversation are not contiguous: other chats' messages fall between them, as when chats overlap."""
    chats = [factories.make_conversation(customer, messages=0) for _ in range(1 + max(n for n, _ in script))]
    for n, content in script:
        add_message(chats[n], content)
        db.session.flush()  # one id after another, in the script's order
    db.session.commit()
    return chats


def test_the_passage_is_the_first_matching_message_even_when_chats_interleave(customer):
    first, second, third = interleaved_chats(customer, [
        (0, "Hello there, the first chat opening."),
        (1, "The second chat asks for a refund sage straight away."),  # between the first chat's messages
        (2, "The third chat also wants a refund thyme today."),
        (0, "The first chat, a refund fig please."),  # the first chat's first match, after two others' matches
        (1, "The second chat, another refund sorrel today."),
        (0, "The first chat, one more refund fennel today."),
        (2, "The third chat, a late refund tarragon today."),
    ])
    ids = [first.session_id, second.session_id, third.session_id]
    found = snippets.passages(ids, "refund")
    assert set(found) == set(ids)
    assert "fig" in found[first.session_id] and "fennel" not in found[first.session_id]
    assert "sage" in found[second.session_id] and "sorrel" not in found[second.session_id]
    assert "thyme" in found[third.session_id] and "tarragon" not in found[third.session_id]
    # a conversation without a match in its own messages has no passage, even with matches inside its id range
    assert snippets.passages([first.session_id], "straight") == {}
    assert "sage" in snippets.passages([second.session_id], "straight")[second.session_id]


def test_passages_are_each_conversations_first_matching_message_for_any_search(customer):
    words = ["refund", "parking", "wheelchair", "accessible"]
    script = []  # twelve chats of eight messages, written round-robin, each word in some of them and not others
    for k in range(8):
        for n in range(12):
            chosen = [word for i, word in enumerate(words) if (n * 3 + k * 5 + i * 7) % (i + 2) == 0]
            script.append((n, f"Chat c{n}x{k}y says {' and '.join(chosen) or 'nothing much'}."))
    chats = interleaved_chats(customer, script)
    ids = [chat.session_id for chat in chats]
    for q in ["refund", "parking", "wheelchair accessible", "accessible refund", "nothing"]:
        expected = {}
        for n, content in script:  # the script's order is the order of the message ids
            if all(word in content for word in q.split()):
                expected.setdefault(ids[n], content.split()[1])
        found = snippets.passages(ids, q)
        assert set(found) == set(expected), q
        for session_id, tag in expected.items():
            assert tag in found[session_id], (q, tag, found[session_id])


def test_a_conversation_spread_over_many_other_chats_messages_still_shows_its_first_match(customer, count_queries):
    # long: its range of ids is mostly the busy chat's messages (more than SPREAD ids per message of its own), so
    # its messages are looked up one by one; short: a few ids, searched by range. Both in one query.
    long, busy, short = interleaved_chats(customer, [
        (0, "The long chat opens, no match yet."),
        *[(1, f"The busy chat wants a refund {n} today, number {n}.") for n in range(snippets.SPREAD * 4)],
        (0, "The long chat, a refund quince please."),
        (2, "The short chat, a refund rhubarb please."),
        (0, "The long chat, another refund medlar."),
    ])
    ids = [long.session_id, busy.session_id, short.session_id]
    with count_queries() as statements:
        found = snippets.passages(ids, "refund")
    assert len(statements) == 1
    assert set(found) == set(ids)
    assert "quince" in found[long.session_id] and "medlar" not in found[long.session_id]
    assert re.search(r"</mark> 0 ", found[busy.session_id])  # its first message
    assert "rhubarb" in found[short.session_id]
    assert snippets.passages([long.session_id], "number") == {}
