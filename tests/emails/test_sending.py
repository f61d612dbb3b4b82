"""The follow-up email job: sent over real SMTP once per conversation and template, or not at all, and logged."""
from __future__ import annotations

import threading
from email import message_from_bytes, policy

import pytest
from sqlalchemy import select

from dashboard.emails.models import EmailLog
from dashboard.emails.sending import render_template_for, send_follow_up
from dashboard.extensions import db
from dashboard.jobs import Job, defer, dispatch_pending
from tests import factories
from tests.emails.conftest import BUSY_DOMAIN, REJECTED_DOMAIN, smtp_settings

BODY = "Hi {{visitor_name}},\n\n{{ call_summary }}\n\n{{agent_name}} at {{business_name}}"


def arrange(customer, template_agent="same", visitor_email="ava@example.net", agent_name="Front Desk",
            **template_fields):
    """An analysed conversation of an agent with a visitor, and an active template ("same" agent, None = any)."""
    agent = factories.make_agent(customer, name=agent_name)
    visitor = factories.make_visitor(customer, name="Ava Nguyen", email=visitor_email)
    if visitor_email is None:
        visitor.email = None
    conversation = factories.make_conversation(customer, agent, visitor)
    template = factories.make_email_template(
        customer, agent if template_agent == "same" else template_agent,
        email_subject="Thanks {{visitor_name}}, from {{business_name}}", email_body=BODY,
        sender_email="hello@business.example", **template_fields)
    db.session.commit()
    return conversation, template


def run_follow_up(session_id: int) -> None:
    """What the analysis job does: record the follow-up as a job with its change, then run it (inline: no Redis)."""
    defer(send_follow_up, session_id)
    db.session.commit()
    dispatch_pending()


def delivery_jobs() -> list[str]:
    return db.session.scalars(select(Job.state).where(Job.kind == "dashboard.emails.sending:deliver_email")).all()


def logs():
    db.session.expire_all()
    return db.session.scalars(select(EmailLog).order_by(EmailLog.email_log_id)).all()


def test_the_follow_up_goes_over_smtp_with_placeholders_filled(app, customer, smtp):
    conversation, template = arrange(customer)
    run_follow_up(conversation.session_id)

    [(envelope_from, envelope_to, message)] = smtp.inbox.received
    assert envelope_to == ["ava@example.net"] and envelope_from == "no-reply@angelcx.test"
    assert message["To"] == "ava@example.net"
    assert message["From"].addresses[0].addr_spec == "no-reply@angelcx.test"
    assert message["From"].addresses[0].display_name == customer.name
    assert message["Reply-To"] == "hello@business.example"
    assert message["Subject"] == f"Thanks Ava Nguyen, from {customer.name}"
    assert message.get_content().replace("\r\n", "\n") == (
        f"Hi Ava Nguyen,\n\nThe visitor booked a visit.\n\nFront Desk at {customer.name}\n")

    [entry] = logs()
    assert (entry.status, entry.error, entry.recipient_email, entry.subject) == (
        "sent", None, "ava@example.net", f"Thanks Ava Nguyen, from {customer.name}")
    assert (entry.session_id, entry.visitor_id, entry.agent_id, entry.email_pk, entry.customer_id) == (
        conversation.session_id, conversation.visitor_id, conversation.agent_id, template.email_pk,
        customer.customer_id)


def test_without_a_mail_server_the_email_is_written_to_the_outbox(make_app, customer, smtp, tmp_path):
    conversation, _ = arrange(customer)
    outbox = tmp_path / "embedded-outbox"
    embedded = make_app(**{**smtp_settings(smtp, outbox), "MAIL_SERVER": None})
    with embedded.app_context():
        run_follow_up(conversation.session_id)
    [eml] = list(outbox.glob("*.eml"))
    message = message_from_bytes(eml.read_bytes(), policy=policy.default)
    assert message["To"] == "ava@example.net" and message["Subject"] == f"Thanks Ava Nguyen, from {customer.name}"
    assert message["Message-ID"] and message["Date"]
    assert "The visitor booked a visit." in message.get_content()
    assert smtp.messages == [] and [e.status for e in logs()] == ["sent"]


def test_nothing_is_sent_without_send_emails_in_the_plan(app, db, smtp):
    customer = factories.make_customer(with_contract=False)
    factories.make_contract(customer, factories.make_plan(send_emails=False))
    conversation, _ = arrange(customer)
    run_follow_up(conversation.session_id)
    assert smtp.messages == [] and logs() == []


@pytest.mark.parametrize("case", ["visitor without email", "template paused", "only another agent's template"])
def test_nothing_is_sent_when_there_is_no_one_or_nothing_to_send(app, customer, smtp, case):
    if case == "visitor without email":
        conversation, _ = arrange(customer, visitor_email=None)
    elif case == "template paused":
        conversation, _ = arrange(customer, is_active=False)
    else:
        conversation, _ = arrange(customer, template_agent=factories.make_agent(customer, name="Sales"))
        db.session.commit()
    run_follow_up(conversation.session_id)
    assert smtp.messages == [] and logs() == []


def test_an_any_agent_template_is_used_only_when_the_agent_has_none(app, customer, smtp):
    conversation, any_agent = arrange(customer, template_agent=None)
    run_follow_up(conversation.session_id)
    assert [e.email_pk for e in logs()] == [any_agent.email_pk]

    with_own, own = arrange(customer, agent_name="Sales")  # this agent has its own; the any-agent one still exists
    run_follow_up(with_own.session_id)
    assert [e.email_pk for e in logs() if e.session_id == with_own.session_id] == [own.email_pk]
    assert len(smtp.messages) == 2


def test_running_the_job_again_sends_nothing_new(app, customer, smtp):
    conversation, _ = arrange(customer)
    run_follow_up(conversation.session_id)
    run_follow_up(conversation.session_id)
    assert len(smtp.messages) == 1 and [e.status for e in logs()] == ["sent"]


def test_two_workers_at_once_send_one_email(app, customer, smtp):
    conversation, _ = arrange(customer)
    session_id = conversation.session_id  # read here: the test's own session is not for other threads
    start, errors = threading.Barrier(2), []

    def worker():
        try:
            with app.app_context():  # a worker of its own: its own database session
                start.wait()
                run_follow_up(session_id)
        except Exception as error:  # surfaced below: a thread's exception would otherwise vanish
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert errors == []
    assert len(smtp.messages) == 1 and [e.status for e in logs()] == ["sent"]


def test_a_stopped_mail_server_is_a_log_row_to_retry_not_an_exception(app, customer, smtp):
    conversation, _ = arrange(customer)
    smtp.stop()
    run_follow_up(conversation.session_id)  # does not raise
    [entry] = logs()
    assert (entry.status, entry.attempts, entry.session_id) == ("retrying", 1, conversation.session_id)
    assert f"127.0.0.1:{smtp.port} refused the connection" in entry.error and entry.next_attempt_at

    smtp.start()  # a later run of the analysis does not send it twice: the retry is already on its way
    run_follow_up(conversation.session_id)
    assert [e.status for e in logs()] == ["retrying"] and smtp.messages == []


def test_a_recipient_refused_for_good_fails_at_once_with_the_servers_reason(app, customer, smtp):
    """A 550 is the server's final answer (RFC 5321 §4.2.1): the email was retried five times over hours."""
    conversation, _ = arrange(customer, visitor_email=f"nobody@{REJECTED_DOMAIN}")
    run_follow_up(conversation.session_id)
    [entry] = logs()
    assert (entry.status, entry.attempts, entry.next_attempt_at) == ("failed", 1, None)
    assert "550 5.1.1 No such user here" in entry.error
    assert delivery_jobs() == ["done"]  # nothing left to try
    assert smtp.messages == []


def test_a_recipient_the_server_cannot_take_now_is_retried(app, customer, smtp):
    conversation, _ = arrange(customer, visitor_email=f"someone@{BUSY_DOMAIN}")
    run_follow_up(conversation.session_id)
    [entry] = logs()
    assert (entry.status, entry.attempts) == ("retrying", 1) and entry.next_attempt_at
    assert "450 4.2.1 Mailbox busy" in entry.error
    assert delivery_jobs() == ["queued"]


def test_mail_errors_never_contain_the_password(make_app, customer, smtp, tmp_path):
    conversation, _ = arrange(customer)
    with_login = make_app(**smtp_settings(smtp, tmp_path), MAIL_USERNAME="mailer", MAIL_PASSWORD="s3cret-pa55")
    with with_login.app_context():
        run_follow_up(conversation.session_id)  # the stand-in offers no AUTH
    [entry] = logs()
    assert entry.status == "retrying" and "s3cret-pa55" not in entry.error and "mailer" not in entry.error


def test_placeholders_are_substituted_never_evaluated(app, customer):
    conversation, template = arrange(customer)
    conversation.visitor.name = "{{business_name}} {% raw %}"
    template.email_subject = "Re:\r\nBcc: victim@example.net {{visitor_name}}"
    template.email_body = "{{ visitor_name }} {{ 7*7 }} {% if true %}x{% endif %} {{unknown}}"
    rendered = render_template_for(template, conversation)
    assert rendered.body == "{{business_name}} {% raw %} {{ 7*7 }} {% if true %}x{% endif %} {{unknown}}"
    assert rendered.subject == "Re: Bcc: victim@example.net {{business_name}} {% raw %}"
    conversation.visitor.name = None
    assert render_template_for(template, conversation).body.startswith("there ")
