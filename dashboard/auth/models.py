"""Customer accounts, their sign-in sessions and API keys."""
from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, Index, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from dashboard.database import CustomerOwned, TimestampMixin, UTCDateTime, utcnow
from dashboard.extensions import db


class Customer(CustomerOwned, TimestampMixin, UserMixin, db.Model):
    """A business that uses AngelCX; the signed-in account."""

    __tablename__ = "customer"

    customer_id: Mapped[int] = mapped_column(primary_key=True)
    cognito_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(255), unique=True)
    email: Mapped[str] = mapped_column(String(255), unique=True)
    phone: Mapped[str | None] = mapped_column(String(32))
    stripe_customer_id: Mapped[str | None] = mapped_column(Text, unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    # Where a customer who stopped half-way through onboarding resumes: profile, plan, agent, done.
    onboarding_step: Mapped[str] = mapped_column(String(16), default="done")
    # An IANA name (Settings): the days of charts and filters, and every time a page or email shows.
    time_zone: Mapped[str] = mapped_column(String(64), default="UTC", server_default="UTC")

    def get_id(self) -> str:
        return str(self.customer_id)


# The seed makes the business name unique; people read "Acme" and "ACME" as one business.
Index("uq_customer_name_lower", func.lower(Customer.name), unique=True)


class LoginSession(db.Model):
    """A server-side record of one signed-in browser, so logout can revoke a copied cookie."""

    __tablename__ = "login_session"

    login_session_id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.customer_id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ApiKey(CustomerOwned, db.Model):
    """A key for the JSON API; only its hash is stored."""

    __tablename__ = "api_key"

    api_key_id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.customer_id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
