"""CallCall.ai's lead data: leads, the services a business offers, and scored matches."""
from __future__ import annotations

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dashboard.database import CustomerOwned, JSONType, TimestampMixin
from dashboard.extensions import db


class Lead(CustomerOwned, TimestampMixin, db.Model):
    """An end customer of a business (CallCall.ai's "Customer Model")."""

    __tablename__ = "lead"
    __table_args__ = (Index("ix_lead_customer_id_status_score", "customer_id", "status", "score"),)

    lead_id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.customer_id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default="active")
    score: Mapped[int] = mapped_column(Integer, default=0)
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(32))
    preferences: Mapped[dict] = mapped_column(JSONType, default=dict)
    engagement: Mapped[dict] = mapped_column(JSONType, default=dict)


class Service(CustomerOwned, TimestampMixin, db.Model):
    """An offering in a business's catalog."""

    __tablename__ = "service"
    __table_args__ = (Index("ix_service_customer_id_status_type", "customer_id", "status", "type"),)

    service_id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.customer_id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default="active")
    type: Mapped[str] = mapped_column(String(64))
    details: Mapped[dict] = mapped_column(JSONType, default=dict)
    location: Mapped[dict] = mapped_column(JSONType, default=dict)
    features: Mapped[list] = mapped_column(JSONType, default=list)
    media: Mapped[dict] = mapped_column(JSONType, default=dict)


class ServiceMatch(CustomerOwned, TimestampMixin, db.Model):
    """A scored pairing of a lead with a service."""

    __tablename__ = "service_match"
    __table_args__ = (UniqueConstraint("lead_id", "service_id"),)

    match_id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.customer_id", ondelete="CASCADE"), index=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("lead.lead_id", ondelete="CASCADE"), index=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.service_id", ondelete="CASCADE"), index=True)
    score: Mapped[int] = mapped_column(Integer, default=0)
    match_factors: Mapped[list] = mapped_column(JSONType, default=list)
    status: Mapped[str] = mapped_column(String(16), default="presented")
    customer_feedback: Mapped[str | None] = mapped_column(String(64))

    lead: Mapped[Lead] = relationship()
    service: Mapped[Service] = relationship()
