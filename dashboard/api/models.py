"""The `idempotency_key` table: an API client's retry key and the first answer it got, kept 24 hours."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from dashboard.database import JSONType, UTCDateTime, utcnow
from dashboard.extensions import db


class IdempotencyKey(db.Model):
    """One `Idempotency-Key` a customer's API client sent: the request's fingerprint and the response it got."""

    __tablename__ = "idempotency_key"
    __table_args__ = (
        UniqueConstraint("customer_id", "key", name="uq_idempotency_key_customer_id_key"),
        # The purge of keys past their 24 hours, per customer.
        Index("ix_idempotency_key_customer_id_created_at", "customer_id", "created_at"),
    )

    idempotency_key_id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.customer_id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    request_hash: Mapped[str] = mapped_column(String(64))  # SHA-256 of method, path and body
    status_code: Mapped[int | None] = mapped_column(Integer)  # None while the first request is in flight
    response_body: Mapped[bytes | None] = mapped_column(LargeBinary)
    response_headers: Mapped[dict | None] = mapped_column(JSONType)  # Content-Type, Location
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
