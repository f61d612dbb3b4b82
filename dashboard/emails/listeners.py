"""The emails domain hears from conversations: a stored analysis queues the follow-up email; a transcript shows the
emails sent; analytics asks how many were sent and failed per conversation."""
from __future__ import annotations

from sqlalchemy import case, func, select

from dashboard.emails.models import EmailLog
from dashboard.emails.sending import send_follow_up
from dashboard.extensions import db
from dashboard.jobs import defer
from dashboard.signals import analysis_stored, count_follow_ups, transcript_panels


@analysis_stored.connect
def _queue_follow_up(sender, session_id: int, **_) -> None:
    # Written in the analysis's own transaction: a stored analysis always gets its follow-up.
    defer(send_follow_up, session_id, dedupe_key=f"follow-up:{session_id}")


@transcript_panels.connect
def _emails_sent_panel(sender, conversation, **_) -> tuple[str, dict]:
    emails = db.session.scalars(
        select(EmailLog).where(EmailLog.session_id == conversation.session_id,
                               EmailLog.customer_id == conversation.customer_id)
        .order_by(EmailLog.sent_at)
    ).all()
    return "emails/_transcript_panel.html", {"emails": emails}


@count_follow_ups.connect
def _follow_up_counts(sender, session_id: int | None = None, customer_id: int | None = None, **_):
    where = [EmailLog.session_id == session_id] if session_id is not None else [
        EmailLog.customer_id == customer_id, EmailLog.session_id.is_not(None)]
    return (select(EmailLog.session_id, func.count(case((EmailLog.status == "sent", 1))),
                   func.count(case((EmailLog.status == "failed", 1))))
            .where(*where).group_by(EmailLog.session_id))
