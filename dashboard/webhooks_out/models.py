"""`webhook_endpoint`, `webhook_delivery` and `webhook_attempt`: where a business hears about events, each event
for each endpoint, and every attempt to deliver it."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dashboard.database import CustomerOwned, JSONType, UTCDateTime, utcnow
from dashboard.extensions import db


class WebhookEndpoint(CustomerOwned, db.Model):
    """A URL of the business's own that receives the events it subscribed to, signed with its secret."""

    __tablename__ = "webhook_endpoint"

    webhook_endpoint_id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.customer_id", ondelete="CASCADE"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[list] = mapped_column(JSONType, default=list)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    secret_encrypted: Mapped[str] = mapped_column(Text)  # Fernet: it must sign, so it cannot be hashed
    previous_secret_encrypted: Mapped[str | None] = mapped_column(Text)
    previous_secret_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    failing_since: Mapped[datetime | None] = mapped_column(UTCDateTime())
    disabled_reason: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


DELIVERY_STATES = ("pending", "sending", "retrying", "succeeded", "failed")


class WebhookDelivery(db.Model):
    """One event for one endpoint: its payload, its state, how many attempts, and what the last attempt got back.

    `status` moves pending → sending → succeeded | retrying | failed; only the job that moved it to "sending"
    (a conditional UPDATE) posts, so two jobs for one event never send it at the same time.
    """

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        # The delivery log: one endpoint's deliveries, newest first.
        Index("ix_webhook_delivery_endpoint_created", "webhook_endpoint_id", "created_at", "webhook_delivery_id"),
    )

    webhook_delivery_id: Mapped[int] = mapped_column(primary_key=True)
    webhook_endpoint_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_endpoint.webhook_endpoint_id", ondelete="CASCADE"))
    event_id: Mapped[str] = mapped_column(String(40), index=True)
    event_type: Mapped[str] = mapped_column(String(60))
    payload: Mapped[dict] = mapped_column(JSONType)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # one of DELIVERY_STATES
    # The last attempt's outcome, for the log's summary line (each attempt is a WebhookAttempt).
    response_status: Mapped[int | None] = mapped_column(Integer)
    latency_ms: Mapped[int | None] = mapped_column(Integer)
    response_excerpt: Mapped[str | None] = mapped_column(Text)  # the first KB of the answer, or the error
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    endpoint: Mapped[WebhookEndpoint] = relationship(lazy="joined")


class WebhookAttempt(db.Model):
    """One POST of a delivery: when, the HTTP status or the error, how long it took, and the answer's first KB."""

    __tablename__ = "webhook_attempt"
    __table_args__ = (
        # The delivery log: one delivery's attempts in order.
        Index("ix_webhook_attempt_delivery", "webhook_delivery_id", "webhook_attempt_id"),
    )

    webhook_attempt_id: Mapped[int] = mapped_column(primary_key=True)
    webhook_delivery_id: Mapped[int] = mapped_column(
        ForeignKey("webhook_delivery.webhook_delivery_id", ondelete="CASCADE"))
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    response_status: Mapped[int | None] = mapped_column(Integer)  # None when nothing answered
    error: Mapped[str | None] = mapped_column(String(500))  # why there was no answer (refused, timeout, …)
    latency_ms: Mapped[int | None] = mapped_column(Integer)
    response_excerpt: Mapped[str | None] = mapped_column(Text)  # the answer's first KB, as text
    succeeded: Mapped[bool] = mapped_column(Boolean, default=False)
