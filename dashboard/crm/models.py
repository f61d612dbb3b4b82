"""CallCall.ai's data models, owned by a business: leads, services (with their price history and business
analyses), scored service matches, interactions with leads, and leads' assignments to agents."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Index, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dashboard.database import CustomerOwned, JSONType, TimestampMixin, UTCDateTime, utcnow
from dashboard.extensions import db


class Lead(CustomerOwned, TimestampMixin, db.Model):
    """An end customer of a business (CallCall.ai's "Customer Model"). One lead per email per business."""

    __tablename__ = "lead"
    __table_args__ = (Index("ix_lead_customer_id_status_score", "customer_id", "status", "score"),
                      UniqueConstraint("customer_id", "email", name="uq_lead_customer_id_email"),
                      Index("ix_lead_customer_id_phone", "customer_id", "phone"))

    lead_id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.customer_id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default="active")
    score: Mapped[int] = mapped_column(Integer, default=0)
    first_name: Mapped[str | None] = mapped_column(String(100))
    last_name: Mapped[str | None] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(32))
    preferences: Mapped[dict] = mapped_column(JSONType, default=dict)
    engagement: Mapped[dict] = mapped_column(JSONType, default=dict)  # what people state: preferred_contact_time
    # Derived from the lead's interactions (crm/engagement.py), never typed in.
    last_contact_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    total_interactions: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Service(CustomerOwned, TimestampMixin, db.Model):
    """An offering in a business's catalog."""

    __tablename__ = "service"
    __table_args__ = (Index("ix_service_customer_id_status_type", "customer_id", "status", "type"),
                      Index("ix_service_customer_id_type_category", "customer_id", "type", "category"))

    service_id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.customer_id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(16), default="active")
    type: Mapped[str] = mapped_column(String(64))
    category: Mapped[str | None] = mapped_column(String(64))  # details.category, kept as a column to compare by
    details: Mapped[dict] = mapped_column(JSONType, default=dict)
    location: Mapped[dict] = mapped_column(JSONType, default=dict)
    features: Mapped[list] = mapped_column(JSONType, default=list)
    media: Mapped[dict] = mapped_column(JSONType, default=dict)


class ServicePrice(CustomerOwned, db.Model):
    """A service's price from a moment on: written when the service is created and whenever its price changes."""

    __tablename__ = "service_price"
    __table_args__ = (Index("ix_service_price_service_id_changed_at", "service_id", "changed_at"),)

    service_price_id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.customer_id", ondelete="CASCADE"), index=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.service_id", ondelete="CASCADE"))
    price: Mapped[Decimal] = mapped_column(Numeric(12, 2))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ServiceMatch(CustomerOwned, TimestampMixin, db.Model):
    """A scored pairing of a lead with a service."""

    __tablename__ = "service_match"
    __table_args__ = (UniqueConstraint("lead_id", "service_id"),
                      Index("ix_service_match_customer_id_status", "customer_id", "status"))

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


class Interaction(CustomerOwned, TimestampMixin, db.Model):
    """Something that passed between a business and a lead: recorded from a conversation, or entered."""

    __tablename__ = "interaction"
    __table_args__ = (Index("ix_interaction_lead_id_created_at", "lead_id", "created_at", "interaction_id"),
                      Index("ix_interaction_lead_id_type", "lead_id", "type"),
                      Index("ix_interaction_lead_id_channel", "lead_id", "channel"),
                      Index("ix_interaction_lead_id_sentiment", "lead_id", "sentiment"))

    interaction_id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.customer_id", ondelete="CASCADE"), index=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("lead.lead_id", ondelete="CASCADE"))
    # The conversation it was recorded from (one interaction per conversation); kept when that is deleted.
    session_id: Mapped[int | None] = mapped_column(ForeignKey("session.session_id", ondelete="SET NULL"),
                                                   unique=True)
    type: Mapped[str] = mapped_column(String(16))  # message | call | email | meeting | note
    channel: Mapped[str] = mapped_column(String(16))  # voice | chat | email | sms | phone | in_person
    content: Mapped[str] = mapped_column(Text, default="")
    sentiment: Mapped[str | None] = mapped_column(String(16))  # positive | neutral | negative
    intent: Mapped[str | None] = mapped_column(String(64))
    urgency: Mapped[str | None] = mapped_column(String(8))  # low | medium | high


class BusinessAnalysis(CustomerOwned, TimestampMixin, db.Model):
    """A service's figures computed from the business's own data at one moment (crm/analysis.py)."""

    __tablename__ = "business_analysis"
    __table_args__ = (Index("ix_business_analysis_service_id_analysis_id", "service_id", "analysis_id"),)

    analysis_id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.customer_id", ondelete="CASCADE"), index=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.service_id", ondelete="CASCADE"))
    business_data: Mapped[dict] = mapped_column(JSONType, default=dict)
    predictions: Mapped[dict] = mapped_column(JSONType, default=dict)


class AgentAssignment(CustomerOwned, TimestampMixin, db.Model):
    """A lead given to one of the business's agents (one assignment per lead), scored (crm/assignment.py)."""

    __tablename__ = "agent_assignment"
    __table_args__ = (Index("ix_agent_assignment_customer_id_status", "customer_id", "status"),)

    assignment_id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.customer_id", ondelete="CASCADE"), index=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("lead.lead_id", ondelete="CASCADE"), unique=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agent.agent_id", ondelete="CASCADE"), index=True)
    match_score: Mapped[int] = mapped_column(Integer, default=0)
    match_factors: Mapped[list] = mapped_column(JSONType, default=list)
    status: Mapped[str] = mapped_column(String(16), default="active")  # active | paused | completed
    performance: Mapped[dict] = mapped_column(JSONType, default=dict)
