"""`flask analytics rebuild [--customer ID]`: recompute the rollups from the source rows."""
from __future__ import annotations

import time

import click
from flask.cli import AppGroup
from sqlalchemy import select

from dashboard.analytics.rollups import rebuild
from dashboard.auth.models import Customer
from dashboard.extensions import db

analytics_cli = AppGroup("analytics", help="Analytics rollups.")


@analytics_cli.command("rebuild")
@click.option("--customer", "customer_id", type=click.IntRange(min=1), help="Only this customer (its id).")
def rebuild_command(customer_id: int | None) -> None:
    """Recompute the daily rollups from conversations, analyses and emails (one transaction per customer)."""
    if customer_id is not None and db.session.get(Customer, customer_id) is None:
        raise click.ClickException(f"There is no customer {customer_id}.")
    ids = [customer_id] if customer_id else db.session.scalars(
        select(Customer.customer_id).order_by(Customer.customer_id)).all()
    for one in ids:
        started = time.perf_counter()
        counted = rebuild([one])
        db.session.commit()
        click.echo(f"Customer {one}: {counted:,} conversations counted in {time.perf_counter() - started:.1f} s.")
