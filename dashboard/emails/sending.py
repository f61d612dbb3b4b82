"""Follow-up emails: a template filled for a conversation, and sent once per conversation and template."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import func, select

from dashboard.agents.models import Agent
from dashboard.auth.models import Customer
from dashboard.billing.entitlements import NotEntitled, require
from dashboard.conversations.models import Analysis, Conversation
from dashboard.database import utcnow
from dashboard.emails import mail_gateway
from dashboard.emails.models import EmailLog, EmailTemplate
from dashboard.emails.operations import PLACEHOLDER_PATTERN
from dashboard.extensions import db

log = logging.getLogger(__name__)

NO_VISITOR_NAME = "there"  # "Hi {{visitor_name}}" reads "Hi there" for a visitor who gave no name
SAMPLE_VISITOR_NAME = "Ava Nguyen"
SAMPLE_CALL_SUMMARY = "The visitor asked what a cleaning costs and booked one for Tuesday at 10am."
IN_FLIGHT_OR_SENT = ("sending", "sent")


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    body: str


def fill(text: str, values: dict[str, str]) -> str:
    """`text` with each {{placeholder}} replaced by its value: a plain substitution, nothing is evaluated.

    Values are not scanned again, so a visitor who types "{{business_name}}" gets it back as typed.
    """
    return PLACEHOLDER_PATTERN.sub(lambda found: values.get(found.group(1), found.group(0)), text)


def render_with(template: EmailTemplate, values: dict[str, str]) -> RenderedEmail:
    # A subject is one header line: line breaks in a value become spaces.
    subject = " ".join(fill(template.email_subject, values).split())
    return RenderedEmail(subject, fill(template.email_body, values))


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

    Sends nothing unless the plan includes follow-up emails and the visitor left an email address.
    A failed send is logged (status "failed" with the reason) and does not raise.
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
    recipient, visitor_id = visitor.email, visitor.visitor_id
    for template in templates_for(conversation.customer_id, conversation.agent_id):
        rendered = render_with(template, values)
        email = mail_gateway.OutgoingEmail(recipient, rendered.subject, rendered.body, reply_to=template.sender_email,
                                           sender_name=values["business_name"])
        entry = _claim(conversation, template, visitor_id, email)
        if entry is not None:
            _deliver(entry, email)


def _claim(conversation: Conversation, template: EmailTemplate, visitor_id: int,
           email: mail_gateway.OutgoingEmail) -> EmailLog | None:
    """A committed "sending" log row for (conversation, template), or None when one is already sending or sent.

    The row is inserted before the check, with the conversation's row locked: on PostgreSQL a second
    worker waits for the lock and then sees the first one's row; on SQLite the insert waits for the
    database's write lock, with the same effect. A failed send may be tried again by a later run.
    """
    session_id, email_pk = conversation.session_id, template.email_pk
    db.session.execute(select(Conversation.session_id).where(Conversation.session_id == session_id).with_for_update())
    entry = EmailLog(customer_id=conversation.customer_id, session_id=session_id, visitor_id=visitor_id,
                     agent_id=conversation.agent_id, email_pk=email_pk, recipient_email=email.recipient,
                     subject=email.subject, status="sending", sent_at=utcnow())
    db.session.add(entry)
    db.session.flush()
    first = db.session.scalar(select(func.min(EmailLog.email_log_id)).where(
        EmailLog.session_id == session_id, EmailLog.email_pk == email_pk, EmailLog.status.in_(IN_FLIGHT_OR_SENT)))
    if first != entry.email_log_id:
        db.session.rollback()
        return None
    db.session.commit()
    return entry


def _deliver(entry: EmailLog, email: mail_gateway.OutgoingEmail) -> None:
    try:
        mail_gateway.send(email)
    except mail_gateway.MailError as error:
        entry.status, entry.error = "failed", error.message[:500]
        log.warning("Follow-up email %s to conversation %s failed: %s", entry.email_log_id, entry.session_id,
                    error.message)
    except BaseException:
        # Not a mail failure but a bug: the row must not stay "sending" for ever.
        db.session.rollback()
        entry.status, entry.error = "failed", "An unexpected error stopped this send."
        db.session.commit()
        raise
    else:
        entry.status = "sent"
    entry.sent_at = utcnow()
    db.session.commit()


def sample_values(template: EmailTemplate, customer_id: int) -> dict[str, str]:
    """What a test email fills the placeholders with: made-up visitor and summary, the real names."""
    agent_name = db.session.scalar(select(Agent.name).where(Agent.agent_id == template.agent_id))
    return {
        "visitor_name": SAMPLE_VISITOR_NAME,
        "call_summary": SAMPLE_CALL_SUMMARY,
        "agent_name": agent_name or "Your agent",
        "business_name": db.session.scalar(select(Customer.name).where(Customer.customer_id == customer_id)),
    }


def send_test_email(template: EmailTemplate, customer_id: int, address: str) -> None:
    """Send the saved template with sample values to `address`; not logged (it is not a visitor send).

    Raises NotEntitled without follow-up emails in the plan, MailError when sending fails.
    """
    require(customer_id, "send_emails")
    values = sample_values(template, customer_id)
    rendered = render_with(template, values)
    mail_gateway.send(mail_gateway.OutgoingEmail(address, f"[Test] {rendered.subject}", rendered.body,
                                                 reply_to=template.sender_email, sender_name=values["business_name"]))
