"""An Ultravox call's visitor name, email and phone are checked: a bad value is stored as absent and logged without it."""
from __future__ import annotations

import logging
import uuid

import pytest
from sqlalchemy import select

from dashboard.conversations.models import Conversation, Visitor
from dashboard.extensions import db
from tests import factories
from tests.conversations.conftest import WEBHOOK_SECRET


@pytest.fixture
def app(make_app):
    app = make_app(ULTRAVOX_WEBHOOK_SECRET=WEBHOOK_SECRET)
    with app.app_context():
        yield app


def _start_call(post_webhook, agent, **metadata) -> Visitor | None:
    call_id = str(uuid.uuid4())
    call = {"callId": call_id, "created": "2026-05-01T09:00:00Z",
            "metadata": {"agent_id": str(agent.agent_id), **metadata}}
    response = post_webhook({"event": "call.started", "call": call})
    assert response.status_code == 200, response.get_data(as_text=True)
    conversation = db.session.scalars(select(Conversation).where(Conversation.ultravox_call_id == call_id)).one()
    return db.session.get(Visitor, conversation.visitor_id) if conversation.visitor_id else None


@pytest.mark.parametrize("field, hostile", [
    ("visitor_email", "ava@example.net\r\nBcc: everyone@evil.example"),
    ("visitor_email", "not-an-address"),
    ("visitor_email", "a" * 250 + "@example.net"),
    ("visitor_name", "Ava\r\nSet-Cookie: x=1"),
    ("visitor_name", "A" * 256),
    ("visitor_phone", "+1 415\n555 0142"),
    ("visitor_phone", "call me maybe"),
])
def test_an_invalid_visitor_field_is_stored_as_absent_and_logged_without_its_value(
        post_webhook, customer, caplog, field, hostile):
    agent = factories.make_agent(customer)
    db.session.commit()
    fields = {"visitor_name": "Ava Nguyen", "visitor_email": "ava@example.net", "visitor_phone": "+14155550142"}
    with caplog.at_level(logging.WARNING):
        visitor = _start_call(post_webhook, agent, **{**fields, field: hostile})
    stored = {"visitor_name": visitor.name, "visitor_email": visitor.email, "visitor_phone": visitor.phone}
    assert stored == {**fields, field: None}  # the call is kept; only the bad value is left out
    assert f"metadata.{field} is not valid" in caplog.text
    assert hostile not in caplog.text and hostile.splitlines()[0] not in caplog.text


def test_valid_visitor_fields_are_kept_with_the_email_normalised(post_webhook, customer):
    agent = factories.make_agent(customer)
    db.session.commit()
    visitor = _start_call(post_webhook, agent, visitor_name=" Zoë Ortiz ", visitor_email="zoe@EXAMPLE.org",
                          visitor_phone="+44 20 7946 0958")
    assert (visitor.name, visitor.email, visitor.phone) == ("Zoë Ortiz", "zoe@example.org", "+44 20 7946 0958")


def test_a_call_whose_visitor_fields_are_all_invalid_has_no_visitor(post_webhook, customer):
    agent = factories.make_agent(customer)
    db.session.commit()
    assert _start_call(post_webhook, agent, visitor_email="x\r\n", visitor_phone="??", visitor_name=7) is None
