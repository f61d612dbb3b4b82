"""Customer accounts, their sign-in sessions and API keys."""
from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Boolean, ForeignKey, Index, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column

from dashboard.database import CustomerOwned, JSONType, TimestampMixin, UTCDateTime, utcnow
from dashboard.extensions import db


class Customer(CustomerOwned, TimestampMixin, UserMixin, db.Model):
    """A business that uses AngelCX; the signed-in account (the person is a `Member` of it: `g.member`).

    `cognito_id` is the owner's Cognito identity; `email` is the business's contact address. Since members
    exist, `password_hash` is no longer read (the owner member holds the password); it stays for a release.
    """

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


class LoginSession(CustomerOwned, db.Model):
    """A server-side record of one signed-in browser, so logout can revoke a copied cookie.

    Its member sees it under Settings → Your account (device, address, started, last seen) and can end it.
    """

    __tablename__ = "login_session"

    login_session_id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.customer_id", ondelete="CASCADE"), index=True)
    # Who signed in; NULL only for a sign-in from before members existed (the migration fills them in).
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.member_id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # What the member sees to tell their sign-ins apart (the browser's User-Agent, cut to 255, and its address).
    user_agent: Mapped[str | None] = mapped_column(String(255))
    ip_address: Mapped[str | None] = mapped_column(String(64))


class PasswordReset(CustomerOwned, db.Model):
    """A "forgot password" link: works once, for an hour. The link's token is an HMAC of the row's id under
    SECRET_KEY; only its SHA-256 is stored, so neither this table nor the job table holds a working link."""

    __tablename__ = "password_reset"

    password_reset_id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.customer_id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("member.member_id", ondelete="CASCADE"))
    token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


# A member's recent requests are counted (at most a few links an hour) and their open links ended together.
Index("ix_password_reset_member_created", PasswordReset.member_id, PasswordReset.created_at)


class ApiKey(CustomerOwned, db.Model):
    """A key for the JSON API; only its hash is stored."""

    __tablename__ = "api_key"

    api_key_id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.customer_id", ondelete="CASCADE"), index=True)
    # The member who created it: the key acts with that member's role (a key without one acts as nobody).
    member_id: Mapped[int | None] = mapped_column(ForeignKey("member.member_id", ondelete="SET NULL"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


ROLES = ("owner", "admin", "editor", "viewer")


class Member(CustomerOwned, db.Model):
    """A person who belongs to one business with a role; sign-in identities (Cognito, a password) are theirs."""

    __tablename__ = "member"

    member_id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.customer_id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    email: Mapped[str] = mapped_column(String(255), unique=True)
    role: Mapped[str] = mapped_column(String(16))
    # Sees analytics, never message content (transcripts, summaries, exports, the send log).
    transcripts_hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    cognito_id: Mapped[str | None] = mapped_column(String(255), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Invitation(CustomerOwned, db.Model):
    """An emailed, single-use link to join a business with a role, for 7 days."""

    __tablename__ = "invitation"

    invitation_id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.customer_id", ondelete="CASCADE"), index=True)
    email: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16))
    transcripts_hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    # The link's token is an HMAC of (id, nonce) under SECRET_KEY: the row alone cannot make a working link,
    # and a new nonce (resend) ends the old link.
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_member_id: Mapped[int | None] = mapped_column(ForeignKey("member.member_id", ondelete="SET NULL"),
                                                             index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AuditEvent(CustomerOwned, db.Model):
    """One change of state, by whom, when and from where; the app only ever adds these rows."""

    __tablename__ = "audit_event"

    audit_event_id: Mapped[int] = mapped_column(primary_key=True)
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.customer_id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor_kind: Mapped[str] = mapped_column(String(16))  # member, api_key, stripe, ultravox
    actor_member_id: Mapped[int | None] = mapped_column(ForeignKey("member.member_id", ondelete="SET NULL"),
                                                        index=True)
    actor_api_key_id: Mapped[int | None] = mapped_column(ForeignKey("api_key.api_key_id", ondelete="SET NULL"),
                                                         index=True)
    actor_label: Mapped[str] = mapped_column(String(255))  # the name or key as it was then
    ip_address: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(40))  # e.g. agent.updated, api_key.created, export
    subject: Mapped[str] = mapped_column(String(300))
    changes: Mapped[dict] = mapped_column(JSONType, default=dict)  # field -> [before, after], secrets masked


# The Settings page filters by person and kind and pages newest first within a customer.
Index("ix_audit_event_customer_created", AuditEvent.customer_id, AuditEvent.created_at, AuditEvent.audit_event_id)
Index("ix_audit_event_customer_kind", AuditEvent.customer_id, AuditEvent.kind, AuditEvent.created_at)
Index("ix_audit_event_customer_actor", AuditEvent.customer_id, AuditEvent.actor_member_id, AuditEvent.created_at)
Index("ix_invitation_customer_email", Invitation.customer_id, Invitation.email)
