"""Cancelling at Stripe the duplicate subscriptions checkout recorded, after the commit that recorded them.

Until the durable job table (dashboard/jobs.py) lands, the pending work is the contract row itself (status
"duplicate", no `stripe_cancelled_at`); this moves onto the job system then, as one job per duplicate.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from flask import current_app
from sqlalchemy import or_, select, update

from dashboard.billing import stripe_gateway
from dashboard.billing.models import Contract
from dashboard.database import utcnow
from dashboard.extensions import db

# A worker that took a cancellation on and died frees it after this long.
CANCEL_LEASE = timedelta(minutes=5)
BATCH_SIZE = 100
CANCELLATION_COMMENT = "AngelCX: a duplicate subscription; the customer already has an active plan."


@dataclass
class CancelRun:
    """What one pass did: subscriptions cancelled at Stripe, and those Stripe could not cancel just now."""

    cancelled: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def _free_to_claim(now):
    return (Contract.status == "duplicate", Contract.stripe_cancelled_at.is_(None),
            Contract.stripe_subscription_id.is_not(None),
            or_(Contract.stripe_cancel_started_at.is_(None), Contract.stripe_cancel_started_at < now - CANCEL_LEASE))


def _claim(contract_id: int) -> bool:
    """Take one cancellation on, in a transaction of its own; False when another worker holds it."""
    now = utcnow()
    claimed = db.session.execute(update(Contract).where(Contract.contract_id == contract_id, *_free_to_claim(now))
                                 .values(stripe_cancel_started_at=now)).rowcount
    db.session.commit()
    return claimed == 1


def _finish(contract_id: int, cancelled: bool) -> None:
    values = {"stripe_cancelled_at": utcnow()} if cancelled else {"stripe_cancel_started_at": None}
    db.session.execute(update(Contract).where(Contract.contract_id == contract_id).values(**values))
    db.session.commit()


def cancel_duplicate_subscriptions() -> CancelRun:
    """Cancel every recorded duplicate not yet cancelled; safe to call again, and from several workers at once.

    Call it after a commit: it commits on its own and calls Stripe with no transaction open.
    """
    db.session.commit()
    pending = db.session.execute(select(Contract.contract_id, Contract.stripe_subscription_id)
                                 .where(*_free_to_claim(utcnow())).order_by(Contract.contract_id)
                                 .limit(BATCH_SIZE)).all()
    db.session.commit()
    run = CancelRun()
    for contract_id, subscription_id in pending:
        if not _claim(contract_id):
            continue
        try:
            stripe_gateway.cancel_subscription(subscription_id, CANCELLATION_COMMENT)
        except stripe_gateway.StripeFailure:
            _finish(contract_id, cancelled=False)  # free at once for the next attempt
            run.failed.append(subscription_id)
            continue
        _finish(contract_id, cancelled=True)
        current_app.logger.info("Cancelled duplicate subscription %s at Stripe (contract %s)",
                                subscription_id, contract_id)
        run.cancelled.append(subscription_id)
    return run
