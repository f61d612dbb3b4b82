"""Keeping the outbox moving: recover jobs whose worker died, hand due ones over, report, revive; `flask jobs`."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import func, or_, select, update

from dashboard.database import utcnow
from dashboard.extensions import db
from dashboard.jobs.models import Job
from dashboard.jobs.outbox import hand_over

LEASE_EXPIRED = "The worker running it stopped (its lease expired)."
SWEEP_BATCH = 500


@dataclass(frozen=True)
class SweepResult:
    recovered: int  # running jobs whose lease expired, queued again
    dead: int  # running jobs whose lease expired on their last attempt
    handed_over: int  # due queued jobs given to RQ (or run inline)


def sweep() -> SweepResult:
    """Queue again the jobs whose worker died, then hand over the due jobs nobody holds."""
    now = utcnow()
    expired = update(Job).where(Job.state == "running", Job.lease_expires_at < now)
    dead = db.session.execute(expired.where(Job.attempts >= Job.max_attempts).values(
        state="dead", last_error=LEASE_EXPIRED, lease_expires_at=None, updated_at=now)).rowcount
    recovered = db.session.execute(expired.values(
        state="queued", run_after=now, last_error=LEASE_EXPIRED, lease_expires_at=None, handed_over_at=None,
        updated_at=now)).rowcount
    # A job given to RQ but not started (Redis lost its queue, or nobody worked on it) is handed over again.
    stale = now - timedelta(seconds=current_app.config["JOBS_HANDOVER_SECONDS"])
    due = db.session.scalars(
        select(Job.job_id).where(Job.state == "queued", Job.run_after <= now,
                                 or_(Job.handed_over_at.is_(None), Job.handed_over_at < stale))
        .order_by(Job.run_after, Job.job_id).limit(SWEEP_BATCH)
    ).all()
    db.session.commit()
    return SweepResult(recovered, dead, hand_over(list(due)) if due else 0)


@dataclass(frozen=True)
class Status:
    counts: dict[tuple[str, str], int]  # (state, kind) → jobs
    oldest_due: datetime | None  # the run_after of the queued job that has waited longest
    dead: list[Job]


def status(dead_limit: int = 50) -> Status:
    """Jobs counted by state and kind, the oldest due one, and the latest dead jobs with their errors."""
    counts = {(state, kind): n for state, kind, n in db.session.execute(
        select(Job.state, Job.kind, func.count()).group_by(Job.state, Job.kind).order_by(Job.state, Job.kind))}
    oldest = db.session.scalar(select(func.min(Job.run_after)).where(Job.state == "queued",
                                                                       Job.run_after <= utcnow()))
    dead = db.session.scalars(select(Job).where(Job.state == "dead").order_by(Job.updated_at.desc())
                              .limit(dead_limit)).all()
    return Status(counts, oldest, list(dead))


def retry(job_ids: list[int] | None = None, all_dead: bool = False) -> list[int]:
    """Queue dead jobs again with a fresh set of attempts, and hand them over; the ids revived."""
    query = select(Job.job_id).where(Job.state == "dead")
    if not all_dead:
        query = query.where(Job.job_id.in_(job_ids or []))
    ids = list(db.session.scalars(query.with_for_update()).all())
    if ids:
        db.session.execute(update(Job).where(Job.job_id.in_(ids)).values(
            state="queued", attempts=0, run_after=utcnow(), handed_over_at=None, updated_at=utcnow()))
    db.session.commit()
    if ids:
        hand_over(ids)
    return ids


jobs_cli = AppGroup("jobs", help="Background jobs: what is queued or dead, and reviving them.")


@jobs_cli.command("status")
def status_command() -> None:
    """Jobs counted by state and kind, the oldest due job, and the dead ones with their errors."""
    report = status()
    if not report.counts:
        click.echo("No jobs.")
    for (state, kind), count in report.counts.items():
        click.echo(f"{state:8} {count:8,}  {kind}")
    click.echo(f"Oldest due job waiting since: {report.oldest_due.isoformat() if report.oldest_due else '-'}")
    for job in report.dead:
        click.echo(f"dead job {job.job_id} {job.kind}{tuple(job.arguments)!r} after {job.attempts} attempts: "
                   f"{job.last_error}")


@jobs_cli.command("retry")
@click.argument("job_ids", nargs=-1, type=click.IntRange(min=1))
@click.option("--dead", "all_dead", is_flag=True, help="Retry every dead job.")
def retry_command(job_ids: tuple[int, ...], all_dead: bool) -> None:
    """Queue dead jobs (by id, or all with --dead) again with a fresh set of attempts."""
    if not job_ids and not all_dead:
        raise click.UsageError("Give job ids, or --dead for every dead job.")
    revived = retry(list(job_ids), all_dead=all_dead)
    click.echo(f"{len(revived)} dead jobs queued again" + (f": {', '.join(map(str, revived))}" if revived else "."))


@jobs_cli.command("sweep")
def sweep_command() -> None:
    """Queue again jobs whose worker died (lease expired) and hand the due ones over (the worker does it too)."""
    result = sweep()
    click.echo(f"{result.recovered} jobs recovered from stopped workers, {result.dead} dead, "
               f"{result.handed_over} handed over.")
