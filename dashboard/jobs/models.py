"""The `job` table: background work recorded with the change that needs it, and its attempts."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from dashboard.database import JSONType, UTCDateTime, utcnow
from dashboard.extensions import db

STATES = ("queued", "running", "done", "dead")


class Job(db.Model):
    """One piece of background work: a function (by its import path) with plain arguments."""

    __tablename__ = "job"
    __table_args__ = (
        # The dispatcher's and the sweep's questions: what is due, whose lease has expired.
        Index("ix_job_state_run_after", "state", "run_after"),
        Index("ix_job_state_lease_expires_at", "state", "lease_expires_at"),
        Index("ix_job_dedupe_key_state", "dedupe_key", "state"),
    )

    job_id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(200))  # "package.module:function"
    arguments: Mapped[list] = mapped_column(JSONType)
    state: Mapped[str] = mapped_column(String(16), default="queued")  # queued | running | done | dead
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    max_attempts: Mapped[int] = mapped_column(Integer, default=8)
    run_after: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    lease_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    handed_over_at: Mapped[datetime | None] = mapped_column(UTCDateTime())  # last given to the RQ queue
    last_error: Mapped[str | None] = mapped_column(Text)
    dedupe_key: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    def __repr__(self) -> str:
        return f"<Job {self.job_id} {self.kind} {self.state} attempt {self.attempts}/{self.max_attempts}>"
