"""The third-party app catalog and each agent's OAuth connection to an app."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dashboard.agents.models import Agent, Prompt
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
    # From catalog.yaml (`flask catalog sync`): the provider's OAuth endpoints and settings, and the actions
    # (names in dashboard/integrations/actions) the app adds to a connected agent.
    oauth: Mapped[dict | None] = mapped_column(JSONType)
    actions: Mapped[list | None] = mapped_column(JSONType)
    # Removed from the catalog file: offered to no new connection, kept under the existing ones.
    is_retired: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    prompt: Mapped[Prompt | None] = relationship(lazy="joined")


class ThirdPartyOAuth(CustomerOwned, db.Model):
    """An agent's OAuth tokens for one app.

    `access_token` and `refresh_token` hold Fernet tokens (dashboard/encryption.py), never the provider's
    tokens in plain text. `additional_data` has the granted `scopes` and the provider's `account`
    (id, email, name) and app-specific choices made at connect time (Slack's channel).
    """

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
    status: Mapped[str] = mapped_column(String(20), default="connected", server_default="connected")  # or needs_reconnect
    # With SECRET_KEY, makes the secret that only this connection's tool calls carry (actions.tool_secret).
    tool_key: Mapped[str | None] = mapped_column(String(64))
    # Held by the one process refreshing the tokens (see dashboard/integrations/tokens.py).
    refresh_claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())

    app: Mapped[ThirdPartyApp] = relationship(lazy="joined")

    owned_through = Agent
