"""Follow-up emails: a template filled for a conversation, and sent once per conversation and template."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from dashboard import metrics
from dashboard.agents.models import Agent
from dashboard.auth.models import Customer
from dashboard.billing.entitlements import NotEntitled, require
from dashboard.conversations.models import Analysis, Conversation
from dashboard.database import utcnow
from dashboard.emails import mail_gateway
from dashboard.emails.formatting import escape_markdown, markdown_to_html
from dashboard.emails.models import EmailLog, EmailTemplate
from dashboard.emails.operations import PLACEHOLDER_PATTERN
from dashboard.extensions import db
from dashboard.jobs import Retry, backoff, current_attempt, defer
from dashboard.signals import email_sent

log = logging.getLogger(__name__)

NO_VISITOR_NAME = "there"  # "Hi {{visitor_name}}" reads "Hi there" for a visitor who gave no name
SAMPLE_VISITOR_NAME = "Ava Nguyen"
SAMPLE_CALL_SUMMARY = "The visitor asked what a cleaning costs and booked one for Tuesday at 10am."
PENDING = ("queued", "sending", "retrying")  # a delivery job will (again) try these
UNDER_WAY_OR_SENT = (*PENDING, "sent")


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    body: str  # text/plain
    html: str | None = None  # the HTML alternative, for a template with send_html


def fill(text: str, values: dict[str, str]) -> str:
    """`text` with each {{placeholder}} replaced by its value: a plain substitution, nothing is evaluated.

    Values are not scanned again, so a visitor who types "{{business_name}}" gets it back as typed.
    """
    return PLACEHOLDER_PATTERN.sub(lambda found: values.get(found.group(1), found.group(0)), text)


def render_with(template: EmailTemplate, values: dict[str, str]) -> RenderedEmail:
    # A subject is one header line: line breaks in a value become spaces.
    subject = " ".join(fill(template.email_subject, values).split())
    html = None
    if template.send_html:
        escaped = {name: escape_markdown(value) for name, value in values.items()}
        html = markdown_to_html(fill(template.email_body, escaped))
    return RenderedEmail(subject, fill(template.email_body, values), html)


def placeholder_values(conversation: Conversation) -> dict[str, str]:
    visitor = conversation.visitor
    summary = db.session.scalar(select(Analysis.call_summary).where(Analysis.session_id == conversation.session_id))
    agent_name = db.session.scalar(select(Agent.name).where(Agent.agent_id == conversation.agent_id))
    return {
        "visitor_name": (visitor.name if visitor else None) or NO_VISITOR_NAME,
        "call_summary": summary or "",
        "agent_name": agent_name or "",
        "business_name": db.session.scalar(select(Customer.name).where(Customer.customer_id == conversation.customer_id)),
    }


def render_template_for(template: EmailTemplate, conversation: Conversation) -> RenderedEmail:
    """The template filled with this conversation's visitor, analysis, agent and business."""
    return render_with(template, placeholder_values(conversation))


def templates_for(customer_id: int, agent_id: int | None) -> list[EmailTemplate]:
    """The agent's active templates; when it has none, the active "any agent" ones."""
    active = select(EmailTemplate).where(EmailTemplate.customer_id == customer_id, EmailTemplate.is_active.is_(True)) \
        .order_by(EmailTemplate.email_pk)
    own = db.session.scalars(active.where(EmailTemplate.agent_id == agent_id)).all() if agent_id else []
    return own or db.session.scalars(active.where(EmailTemplate.agent_id.is_(None))).all()


def send_follow_up(session_id: int) -> None:
    """The job run after a conversation's analysis is stored; safe to run again or twice at once.

    Records nothing unless the plan includes follow-up emails and the visitor left an email address.
    Each email is a log row ("queued") and a job of its own (`deliver_email`) written in one transaction,
    once per (conversation, template); that job sends it, and retries it with backoff.
    """
    conversation = db.session.get(Conversation, session_id)
    if conversation is None or conversation.is_active:
        return
    visitor = conversation.visitor
    if visitor is None or not visitor.email:
        return
    try:
        require(conversation.customer_id, "send_emails")
    except NotEntitled:
        return
    values = placeholder_values(conversation)
    for template in templates_for(conversation.customer_id, conversation.agent_id):
        _claim(conversation, template, visitor.visitor_id, render_with(template, values).subject)


def _claim(conversation: Conversation, template: EmailTemplate, visitor_id: int, subject: str) -> None:
    """Commit a "queued" log row and its delivery job, unless one for (conversation, template) is under way or sent.

    The row is inserted before the check, with the conversation's row locked: on PostgreSQL a second
    worker waits for the lock and then sees the first one's row; on SQLite the insert waits for the
    database's write lock, with the same effect. A send that failed for good may be recorded again.
    """
    session_id, email_pk = conversation.session_id, template.email_pk
    _lock(session_id)
    entry = EmailLog(customer_id=conversation.customer_id, session_id=session_id, visitor_id=visitor_id,
                     agent_id=conversation.agent_id, email_pk=email_pk, recipient_email=conversation.visitor.email,
                     subject=subject, status="queued", sent_at=utcnow(), attempts=0,
                     message_id=mail_gateway.new_message_id())
    db.session.add(entry)
    db.session.flush()
    if _first_under_way(session_id, email_pk) != entry.email_log_id:
        db.session.rollback()
        return
    defer(deliver_email, entry.email_log_id, max_attempts=current_app.config["EMAIL_MAX_ATTEMPTS"])
    db.session.commit()


def _lock(session_id: int) -> None:
    db.session.execute(select(Conversation.session_id).where(Conversation.session_id == session_id).with_for_update())


def _first_under_way(session_id: int, email_pk: int | None) -> int | None:
    return db.session.scalar(select(func.min(EmailLog.email_log_id)).where(
        EmailLog.session_id == session_id, EmailLog.email_pk == email_pk, EmailLog.status.in_(UNDER_WAY_OR_SENT)))


def deliver_email(email_log_id: int) -> None:
    """The job that sends one logged follow-up email, with the Message-ID stored on its row.

    A failed attempt is logged ("retrying", its reason, when the next try is) and raised as a Retry, so
    the job system tries again with backoff; after the last attempt the row is "failed" for good, and at once
    when the mail server refused the recipient or the message for good (a 5xx reply). A row
    still "sending" is one whose worker died mid-send: it is sent again with the same Message-ID.
    """
    entry = db.session.get(EmailLog, email_log_id)
    if entry is None or entry.status not in PENDING:
        return
    email = _outgoing(entry)
    if email is None:
        entry.status, entry.error, entry.next_attempt_at = "failed", "The template or conversation was deleted.", None
        db.session.commit()
        return
    entry.status, entry.attempts, entry.next_attempt_at = "sending", entry.attempts + 1, None
    db.session.commit()  # "sending" is visible, and no transaction stays open while the mail server answers
    try:
        mail_gateway.send(email)
    except mail_gateway.MailError as error:
        attempt, most = current_attempt()
        entry.error = error.message[:500]
        if attempt < most and not error.permanent:
            entry.status, entry.next_attempt_at = "retrying", utcnow() + backoff(attempt)
        else:
            entry.status = "failed"
            email_sent.send(current_app._get_current_object(), email_log_id=entry.email_log_id, status="failed",
                           session_id=entry.session_id)
        db.session.commit()
        metrics.EMAILS.labels(entry.status).inc()
        log.warning("Follow-up email %s (attempt %d of %d) failed%s", email_log_id, attempt, most,
                    " for good: the mail server refused it" if error.permanent else "")
        if error.permanent:
            return  # nothing to try again: the send log says why, and "Retry" there queues it anew
        raise Retry(error.message, at=entry.next_attempt_at) from None
    entry.status, entry.error, entry.sent_at = "sent", None, utcnow()
    email_sent.send(current_app._get_current_object(), email_log_id=entry.email_log_id, status="sent",
                    session_id=entry.session_id)
    db.session.commit()
    metrics.EMAILS.labels("sent").inc()


def _outgoing(entry: EmailLog) -> mail_gateway.OutgoingEmail | None:
    template = db.session.get(EmailTemplate, entry.email_pk) if entry.email_pk else None
    conversation = db.session.get(Conversation, entry.session_id) if entry.session_id else None
    if template is None or conversation is None:
        return None
    values = placeholder_values(conversation)
    rendered = render_with(template, values)
    return mail_gateway.OutgoingEmail(entry.recipient_email, rendered.subject, rendered.body,
                                      reply_to=template.sender_email, sender_name=values["business_name"],
                                      message_id=entry.message_id, html=rendered.html)


def retry_failed(entry: EmailLog) -> bool:
    """Queue a send that failed for good again (the send log's "Retry"); False when another is under way or sent."""
    _lock(entry.session_id)
    if entry.status != "failed" or _first_under_way(entry.session_id, entry.email_pk) is not None:
        db.session.rollback()
        return False
    entry.status, entry.next_attempt_at = "queued", utcnow()
    defer(deliver_email, entry.email_log_id, max_attempts=current_app.config["EMAIL_MAX_ATTEMPTS"])
    db.session.commit()
    return True


def sample_values(agent_id: int | None, customer_id: int) -> dict[str, str]:
    """What a test email and the preview fill the placeholders with: made-up visitor and summary, the real names."""
    agent_name = db.session.scalar(select(Agent.name).where(Agent.agent_id == agent_id,
                                                           Agent.customer_id == customer_id)) if agent_id else None
    return {
        "visitor_name": SAMPLE_VISITOR_NAME,
        "call_summary": SAMPLE_CALL_SUMMARY,
        "agent_name": agent_name or "Your agent",
        "business_name": db.session.scalar(select(Customer.name).where(Customer.customer_id == customer_id)),
    }


def send_test_email(template: EmailTemplate, customer_id: int, address: str) -> Path | None:
    """Send the saved template with sample values to `address`; not logged (it is not a visitor send).

    Answers the outbox file it was written to when no mail server is configured, else None.
    Raises NotEntitled without follow-up emails in the plan, MailError when sending fails.
    """
    require(customer_id, "send_emails")
    values = sample_values(template.agent_id, customer_id)
    rendered = render_with(template, values)
    return mail_gateway.send(mail_gateway.OutgoingEmail(address, f"[Test] {rendered.subject}", rendered.body,
                                                        reply_to=template.sender_email, html=rendered.html,
                                                        sender_name=values["business_name"]))
