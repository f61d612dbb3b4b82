"""`flask billing`: sync-stripe (a Stripe Product and Price for every plan), cancel-duplicates (paid twice)."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from dashboard.billing import stripe_gateway
from dashboard.billing.catalog_sync import sync_plans_to_stripe
from dashboard.billing.duplicate_subscriptions import cancel_duplicate_subscriptions

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


@billing_cli.command("cancel-duplicates")
def cancel_duplicates_command() -> None:
    """Cancel at Stripe the duplicate subscriptions not cancelled yet (safe to repeat)."""
    run = cancel_duplicate_subscriptions()
    click.echo(f"{len(run.cancelled)} duplicate subscription(s) cancelled at Stripe.")
    if run.failed:
        raise click.ClickException(f"Stripe could not cancel {len(run.failed)} just now: {', '.join(run.failed)}.")
