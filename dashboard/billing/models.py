"""Plans, what each grants, contracts, and the Stripe events already applied."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import Boolean, ForeignKey, Index, Integer, Numeric, String, false, text, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dashboard.database import CustomerOwned, UTCDateTime, utcnow
from dashboard.extensions import db


class PlanAccess(db.Model):
    """The feature limits a plan grants."""

    __tablename__ = "plan_access"

    plan_access_id: Mapped[int] = mapped_column(primary_key=True)
    max_call_minutes: Mapped[int] = mapped_column(Integer, default=0)
    max_text_messages: Mapped[int] = mapped_column(Integer, default=0)
    customize_bot_color: Mapped[bool] = mapped_column(Boolean, default=False)
    customize_bot_avatar: Mapped[bool] = mapped_column(Boolean, default=False)
    customize_bot_voice: Mapped[bool] = mapped_column(Boolean, default=False)
    customize_bot_name: Mapped[bool] = mapped_column(Boolean, default=False)
    send_emails: Mapped[bool] = mapped_column(Boolean, default=False)
    max_file_uploads: Mapped[int] = mapped_column(Integer, default=0)
    max_web_sources: Mapped[int] = mapped_column(Integer, default=0)
    # Seats: members plus pending invitations; NULL means no cap.
    max_members: Mapped[int | None] = mapped_column(Integer, nullable=True)
    call_recordings: Mapped[bool] = mapped_column(Boolean, default=False)
    connect_apps: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class Plan(db.Model):
    """A price and the plan access it grants."""

    __tablename__ = "plan"

    plan_id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str | None] = mapped_column(String(500))
    cadence: Mapped[str] = mapped_column(String(16))  # monthly | yearly
    # The seed's FLOAT4 cannot hold cents exactly; money is Numeric.
    cost_usd: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    plan_access_id: Mapped[int] = mapped_column(ForeignKey("plan_access.plan_access_id"), index=True)
    tier: Mapped[int] = mapped_column(Integer, default=0)  # orders plans on the plans page
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    lookup_key: Mapped[str | None] = mapped_column(String(100), unique=True)
    stripe_price_id: Mapped[str | None] = mapped_column(String(255))

    access: Mapped[PlanAccess] = relationship(lazy="joined")


class Contract(CustomerOwned, db.Model):
    """A customer's subscription to a plan, with its period."""

    __tablename__ = "contract"
    __table_args__ = (
        Index("ix_contract_customer_id_expiry_date", "customer_id", "expiry_date"),
        # The backstop of "one live contract per customer": a second active row cannot be committed.
        Index("uq_contract_one_active_per_customer", "customer_id", unique=True,
              postgresql_where=text("status = 'active'"), sqlite_where=text("status = 'active'")),
        # Duplicate subscriptions still to cancel at Stripe: few rows, found without a scan.
        Index("ix_contract_duplicate_to_cancel", "contract_id",
              postgresql_where=text("status = 'duplicate' AND stripe_cancelled_at IS NULL"),
              sqlite_where=text("status = 'duplicate' AND stripe_cancelled_at IS NULL")),
    )

    contract_id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.customer_id", ondelete="CASCADE"), index=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plan.plan_id"), index=True)
    plan_access_id: Mapped[int] = mapped_column(ForeignKey("plan_access.plan_access_id"), index=True)
    expiry_date: Mapped[datetime | None] = mapped_column(UTCDateTime())
    refreshed_date: Mapped[datetime | None] = mapped_column(UTCDateTime())
    stripe_subscription_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    # active | ended | duplicate (a second paid subscription while another was active: cancelled at Stripe)
    status: Mapped[str] = mapped_column(String(16), default="active")
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    end_reason: Mapped[str | None] = mapped_column(String(300))  # why it ended, for support
    # A duplicate's cancellation at Stripe: when a worker took it on (a lease), and when Stripe confirmed it.
    stripe_cancel_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    stripe_cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Stripe's `created` time of the last webhook event applied, so an older one arriving late is ignored.
    stripe_event_created: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # Cancelled in Stripe but paid up: the contract stays active until expiry_date, then ends instead of renewing.
    cancel_at_period_end: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    plan: Mapped[Plan] = relationship(lazy="joined")
    access: Mapped[PlanAccess] = relationship(lazy="joined")


class StripeEvent(db.Model):
    """A Stripe webhook event already applied; its primary key makes delivery exactly-once."""

    __tablename__ = "stripe_event"

    event_id: Mapped[str] = mapped_column(String(255), primary_key=True)
    type: Mapped[str] = mapped_column(String(100))
    stripe_created: Mapped[datetime] = mapped_column(UTCDateTime())
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    outcome: Mapped[str | None] = mapped_column(String(300))  # what applying it did, or why it changed nothing
