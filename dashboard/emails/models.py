"""Follow-up email templates and the log of every send."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column

from dashboard.database import CustomerOwned, TimestampMixin, UTCDateTime, utcnow
from dashboard.extensions import db


class EmailTemplate(CustomerOwned, TimestampMixin, db.Model):
    """A follow-up email an agent sends (the seed's `email`)."""

    __tablename__ = "email"

    email_pk: Mapped[int] = mapped_column(primary_key=True)
    email_body: Mapped[str] = mapped_column(Text)
    sender_email: Mapped[str] = mapped_column(String(255))
    email_subject: Mapped[str] = mapped_column(String(500))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.customer_id", ondelete="CASCADE"), index=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agent.agent_id", ondelete="CASCADE"), index=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The body is also sent as HTML rendered from Markdown (multipart/alternative, the text part unchanged).
    send_html: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class EmailLog(CustomerOwned, db.Model):
    """One email sent to a visitor; kept when the template or agent is deleted."""

    __tablename__ = "email_log"
    __table_args__ = (
        Index("ix_email_log_customer_id_sent_at", "customer_id", "sent_at", "email_log_id"),
        # The log's "failed only" filter, in the same keyset order.
        Index("ix_email_log_customer_id_status_sent_at", "customer_id", "status", "sent_at", "email_log_id"),
    )

    email_log_id: Mapped[int] = mapped_column(primary_key=True)
    visitor_id: Mapped[int | None] = mapped_column(ForeignKey("visitor.visitor_id", ondelete="SET NULL"), index=True)
    agent_id: Mapped[int | None] = mapped_column(ForeignKey("agent.agent_id", ondelete="SET NULL"), index=True)
    session_id: Mapped[int | None] = mapped_column(ForeignKey("session.session_id", ondelete="SET NULL"), index=True)
    recipient_email: Mapped[str] = mapped_column(String(255))
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    email_pk: Mapped[int | None] = mapped_column(ForeignKey("email.email_pk", ondelete="SET NULL"), index=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.customer_id", ondelete="CASCADE"))
    subject: Mapped[str | None] = mapped_column(String(500))
    # queued (waiting for its job) | sending (a worker has it) | retrying (failed, tried again at
    # next_attempt_at) | sent | failed (for good: after the last attempt, or refused)
    status: Mapped[str] = mapped_column(String(16), default="sent")
    error: Mapped[str | None] = mapped_column(String(500))  # why the last attempt failed, for people
    # The Message-ID header, chosen when the row is written: a send retried after a worker died mid-send
    # carries the same one, so the recipient's server can tell it is the same email.
    message_id: Mapped[str | None] = mapped_column(String(255))
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
