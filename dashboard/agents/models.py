"""Agents, the prompt library, custom tools and knowledge sources."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from dashboard.database import CustomerOwned, JSONType, TimestampMixin, UTCDateTime, utcnow
from dashboard.extensions import db


class PromptTemplate(db.Model):
    """A group of prompts in the library (support, sales, booking…)."""

    __tablename__ = "prompt_template"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str | None] = mapped_column(String(500))

    prompts: Mapped[list[Prompt]] = relationship(back_populates="template", order_by="Prompt.name")


class Prompt(db.Model):
    """A reusable system prompt; the one `is_default` is what a new agent starts with."""

    __tablename__ = "prompt"
    __table_args__ = (
        # At most one default prompt: a unique index over the rows where it is true.
        Index("uq_prompt_is_default", "is_default", unique=True,
              postgresql_where=text("is_default"), sqlite_where=text("is_default = 1")),
    )

    prompt_id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str | None] = mapped_column(String(500))
    content: Mapped[str] = mapped_column(Text)
    prompt_template_id: Mapped[int | None] = mapped_column(
        ForeignKey("prompt_template.id", ondelete="SET NULL"), index=True
    )
    is_default: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    template: Mapped[PromptTemplate | None] = relationship(back_populates="prompts")


class Agent(CustomerOwned, TimestampMixin, db.Model):
    """An AI agent a customer configures."""

    __tablename__ = "agent"

    agent_id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    description: Mapped[str | None] = mapped_column(String(500))
    brand_info: Mapped[str | None] = mapped_column(String(2000))
    customer_id: Mapped[int] = mapped_column(ForeignKey("customer.customer_id", ondelete="CASCADE"), index=True)
    prompt_id: Mapped[int | None] = mapped_column(ForeignKey("prompt.prompt_id", ondelete="SET NULL"), index=True)
    prompt_override: Mapped[str | None] = mapped_column(Text)
    temperature: Mapped[float] = mapped_column(Float, default=0.4)
    corpus_id: Mapped[str | None] = mapped_column(String(255))
    voice: Mapped[str | None] = mapped_column(String(255))
    ui_config: Mapped[dict] = mapped_column(JSONType, default=dict)
    # What the widget offers visitors: "voice" (calls), "chat" (text) or "both".
    channels: Mapped[str] = mapped_column(String(8), default="voice", server_default="voice")
    # A visitor who leaves an email or phone in a conversation with this agent becomes a lead (crm listens).
    creates_leads: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    prompt: Mapped[Prompt | None] = relationship()
    tools: Mapped[list[CustomTool]] = relationship(
        back_populates="agent", order_by="CustomTool.name", passive_deletes=True
    )

    @property
    def offers_chat(self) -> bool:
        return self.channels in ("chat", "both")

    @property
    def offers_voice(self) -> bool:
        return self.channels in ("voice", "both")

    @property
    def effective_prompt(self) -> str:
        if self.prompt_override:
            return self.prompt_override
        return self.prompt.content if self.prompt else ""


class CustomTool(CustomerOwned, db.Model):
    """An HTTP call an agent may make during a conversation."""

    owned_through = Agent
    __tablename__ = "custom_tool"
    __table_args__ = (UniqueConstraint("agent_id", "name"),)

    custom_tool_id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agent.agent_id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(Text)
    description: Mapped[str | None] = mapped_column(Text)
    http_method: Mapped[str] = mapped_column(Text, default="GET")
    static_params: Mapped[list] = mapped_column(JSONType, default=list)
    dynamic_params: Mapped[list] = mapped_column(JSONType, default=list)
    url: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    agent: Mapped[Agent] = relationship(back_populates="tools")


class KnowledgeSource(CustomerOwned, db.Model):
    """A file or web page an agent draws on; synced to the agent's Ultravox corpus when configured."""

    owned_through = Agent
    __tablename__ = "knowledge_source"

    knowledge_source_id: Mapped[int] = mapped_column(primary_key=True)
    agent_id: Mapped[int] = mapped_column(ForeignKey("agent.agent_id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # file | web
    name: Mapped[str] = mapped_column(String(255))
    url: Mapped[str | None] = mapped_column(Text)
    stored_path: Mapped[str | None] = mapped_column(Text)
    content_type: Mapped[str | None] = mapped_column(String(100))
    size_bytes: Mapped[int | None] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending | ready | failed
    status_detail: Mapped[str | None] = mapped_column(Text)
    ultravox_source_id: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def status_badge(self) -> tuple[str, str]:
        """The status as shown (label, badge tone): "Synced" only once Ultravox holds it, never beside "not synced"."""
        if self.status == "ready" and self.ultravox_source_id:
            return "Synced", "ok"
        return {"pending": ("Waiting", "warn"), "syncing": ("Syncing…", "warn"),
                "failed": ("Failed", "danger")}.get(self.status, ("Stored here only", ""))
