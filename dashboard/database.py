"""Column types and mixins shared by every domain's models."""
from __future__ import annotations

import builtins
from datetime import UTC, datetime
from typing import ClassVar

from sqlalchemy import JSON, DateTime, Select, event, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

JSONType = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """TIMESTAMPTZ on PostgreSQL; on SQLite, stored as UTC and read back timezone-aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: timestamps must be timezone-aware UTC")
        return value.astimezone(UTC)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False)


class CustomerOwned:
    """Rows that belong to one customer: `owned_select(customer_id)` selects only that customer's.

    A table with its own `customer_id` needs nothing more. A table owned through a parent (a
    connection through its agent) names that parent in `owned_through`; the select joins it and
    filters on the parent's `customer_id`.
    """

    # `builtins.type`: a table with a column named `type` (service) would otherwise read this annotation as that column.
    owned_through: ClassVar[builtins.type | None] = None

    @classmethod
    def owned_select(cls, customer_id: int) -> Select:
        parent = cls.owned_through
        if parent is None:
            return select(cls).where(cls.customer_id == customer_id)
        return select(cls).join(parent).where(parent.customer_id == customer_id)


@event.listens_for(Engine, "connect")
def _connection_settings(dbapi_connection, connection_record):
    """SQLite ignores ON DELETE CASCADE unless told otherwise, per connection. PostgreSQL: no JIT compilation,
    which it starts for any plan it estimates costly (a capped search count's per-candidate check, at 114k
    conversations) and which then costs a page tens of milliseconds of compiling to save less. And a plan for
    each statement's own values: psycopg prepares a statement sent five times, after which PostgreSQL may keep
    one generic plan for all values; a search's plan depends on its words (which parts fold away, how many
    conversations hold them) and a customer's on its size, and a generic plan made one search page take 0.6 s
    instead of 16 ms. Planning these statements takes about a millisecond."""
    if type(dbapi_connection).__module__.startswith("psycopg"):
        cursor = dbapi_connection.cursor()
        cursor.execute("SET jit = off")
        cursor.execute("SET plan_cache_mode = force_custom_plan")
        cursor.close()
        dbapi_connection.commit()
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()


# The full-text search structures that migrations and triggers keep outside the models: on PostgreSQL
# message.content_tsv and session_search with their GIN indexes, on SQLite the FTS5 table message_fts (and its
# shadow tables).
OUTSIDE_MODELS = ("message_fts", "ix_message_content_fts", "content_tsv", "session_search", "ix_session_search")


def in_models(obj, name, type_, reflected, compare_to) -> bool:
    """Alembic's include_object: `flask db migrate` compares only what the models hold (it would otherwise write
    a migration dropping the search structures above)."""
    return not (name or "").startswith(OUTSIDE_MODELS)
