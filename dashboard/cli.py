"""Flask commands: seed-demo, and each domain's own commands."""
from __future__ import annotations

import os
from pathlib import Path

import click
from flask import Flask, current_app

from dashboard.demo.seed import demo_password, seed_demo


@click.command("seed-demo")
@click.option("--scale", default=1, show_default=True, type=click.IntRange(1, 1000),
              help="Multiply the demo customer's conversations (1,500 each) for benchmarks.")
@click.option("--if-empty", is_flag=True, help="Only seed when there is no customer yet.")
def seed_demo_command(scale: int, if_empty: bool) -> None:
    """Load demo data: plans, prompts, apps, two customers with agents and conversations."""
    from sqlalchemy import func, select

    from dashboard.auth.models import Customer
    from dashboard.extensions import db

    password, generated = demo_password(Path(current_app.instance_path), os.environ.get("DEMO_PASSWORD"))
    if not (if_empty and db.session.scalar(select(func.count(Customer.customer_id)))):
        seed_demo(password, scale=scale, echo=click.echo)
    click.echo("")
    click.echo("Sign in at http://127.0.0.1:5000/auth/login")
    click.echo("  email:    demo@example.com")
    click.echo(f"  password: {password}" + ("   (generated; set DEMO_PASSWORD to choose one)" if generated else ""))


@click.command("purge-sessions")
def purge_sessions_command() -> None:
    """Delete sign-in sessions that ended or expired (run it daily, e.g. from cron)."""
    from dashboard.auth.sessions import purge_login_sessions

    click.echo(f"{purge_login_sessions():,} ended sign-in sessions deleted.")


def register(app: Flask) -> None:
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(purge_sessions_command)
    from dashboard.jobs.maintenance import jobs_cli

    app.cli.add_command(jobs_cli)
    from dashboard.analytics.cli import analytics_cli

    app.cli.add_command(analytics_cli)
    from dashboard.billing.cli import billing_cli

    app.cli.add_command(billing_cli)
    from dashboard.integrations.cli import catalog_cli, integrations_cli

    app.cli.add_command(catalog_cli)
    app.cli.add_command(integrations_cli)
