"""The third-party app catalog and each agent's OAuth connection to an app."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dashboard.agents.models import Agent
from dashboard.database import CustomerOwned, JSONType, UTCDateTime, utcnow
from dashboard.extensions import db


class ThirdPartyApp(db.Model):
    """An integration in the catalog."""

    __tablename__ = "third_party_app"

    third_party_app_id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(Text)
    icon: Mapped[str | None] = mapped_column(Text)
    slug: Mapped[str] = mapped_column(Text, unique=True)
    prompt_id: Mapped[int | None] = mapped_column(ForeignKey("prompt.prompt_id", ondelete="SET NULL"), index=True)
    is_coming_soon: Mapped[bool] = mapped_column(Boolean, default=False)


class ThirdPartyOAuth(CustomerOwned, db.Model):
    """An agent's OAuth tokens for one app; tokens are stored encrypted."""

    __tablename__ = "third_party_oauth"
    __table_args__ = (UniqueConstraint("agent_id", "third_party_app_id"),)

    third_party_oauth_id: Mapped[int] = mapped_column(primary_key=True)
    access_token: Mapped[str | None] = mapped_column(Text)
    refresh_token: Mapped[str | None] = mapped_column(Text)
    expiry: Mapped[datetime | None] = mapped_column(UTCDateTime())
    third_party_app_id: Mapped[int] = mapped_column(
        ForeignKey("third_party_app.third_party_app_id", ondelete="CASCADE"), index=True
    )
    agent_id: Mapped[int] = mapped_column(ForeignKey("agent.agent_id", ondelete="CASCADE"), index=True)
    additional_data: Mapped[dict] = mapped_column(JSONType, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    app: Mapped[ThirdPartyApp] = relationship(lazy="joined")

    owned_through = Agent
