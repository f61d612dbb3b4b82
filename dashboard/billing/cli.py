"""`flask billing sync-stripe`: create or update a Stripe Product and Price for every plan."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from dashboard.billing import stripe_gateway
from dashboard.billing.catalog_sync import sync_plans_to_stripe

billing_cli = AppGroup("billing", help="Plans and Stripe.")


@billing_cli.command("sync-stripe")
def sync_stripe_command() -> None:
    """Create or update one Stripe Product and Price per plan (idempotent)."""
    if not stripe_gateway.configured():
        raise click.ClickException("STRIPE_SECRET_KEY is not set: there is no Stripe account to sync with.")
    try:
        changed = sync_plans_to_stripe(echo=click.echo)
    except stripe_gateway.StripeFailure as failure:
        raise click.ClickException(failure.message) from None
    click.echo(f"{changed} plan(s) changed in Stripe.")
