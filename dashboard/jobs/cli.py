"""`flask jobs`: status, retry and sweep for the background job outbox."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from dashboard.jobs.sweep import retry, status, sweep

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
