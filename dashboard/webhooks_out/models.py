"""The `webhook_endpoint` and `webhook_delivery` tables: where a business hears about events, and each delivery."""
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


class WebhookDelivery(db.Model):
    """One event for one endpoint: its payload, how many attempts, and what the last attempt got back."""

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
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | succeeded | retrying | failed
    response_status: Mapped[int | None] = mapped_column(Integer)
    latency_ms: Mapped[int | None] = mapped_column(Integer)
    response_excerpt: Mapped[str | None] = mapped_column(Text)  # the first KB of the answer, or the error
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    endpoint: Mapped[WebhookEndpoint] = relationship(lazy="joined")
