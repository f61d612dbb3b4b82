"""POST /webhooks/stripe: verify the signature, apply each event exactly once in one transaction, then cancel
at Stripe any duplicate subscription it recorded.

Transient failures (database unreachable, a lock not granted in time, Stripe unreachable) answer 503, so
Stripe delivers the event again; an event that can never apply is acknowledged with its reason.
"""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError, OperationalError

from dashboard import metrics
from dashboard.access import public
from dashboard.auth import audit
from dashboard.billing import stripe_gateway
from dashboard.billing.contracts import HANDLERS
from dashboard.billing.duplicate_subscriptions import cancel_duplicate_subscriptions
from dashboard.billing.event_fields import MalformedEvent, timestamp
from dashboard.billing.models import StripeEvent
from dashboard.errors import problem
from dashboard.extensions import csrf, db

bp = Blueprint("stripe_webhooks", __name__)

# How long an event waits for a row another delivery holds before answering 503 (an app setting).
DEFAULT_LOCK_TIMEOUT_MS = 10_000
RETRY_AFTER_SECONDS = "30"


class AlreadyApplied(Exception):
    """Another delivery of this event was (or is being) applied."""


def _apply(event: dict) -> str:
    at = timestamp(event.get("created"))
    db.session.rollback()  # a fresh transaction whose first write is the event row
    if db.engine.dialect.name == "postgresql":
        timeout_ms = int(current_app.config.get("STRIPE_WEBHOOK_LOCK_TIMEOUT_MS", DEFAULT_LOCK_TIMEOUT_MS))
        db.session.execute(text(f"SET LOCAL lock_timeout = {timeout_ms}"))
    recorded = StripeEvent(event_id=event["id"], type=str(event.get("type")), stripe_created=at)
    db.session.add(recorded)
    try:
        # A concurrent duplicate waits here for the first to commit, then fails on the primary key.
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise AlreadyApplied from None
    handler = HANDLERS.get(event.get("type"))
    try:
        with db.session.begin_nested():  # a malformed object leaves nothing half-applied, but is recorded
            outcome = handler(event["data"]["object"], at) if handler else "ignored: not an event we act on"
    except MalformedEvent as malformed:
        outcome = f"ignored: malformed event ({malformed})"
    recorded.outcome = outcome[:300]
    db.session.commit()
    return outcome


def apply_once(event: dict) -> str:
    """Record the event and apply it in the same transaction; the event id's primary key admits one delivery.

    A unique-index violation at the commit (a second active contract, should a race get past the customer
    lock) rolls everything back and decides again once, now seeing the contract that won.
    """
    try:
        return _apply(event)
    except IntegrityError:
        db.session.rollback()
        return _apply(event)


def _retry_later(detail: str):
    response = problem(503, detail)
    response.headers["Retry-After"] = RETRY_AFTER_SECONDS
    return response


def _own_duplicate_pending(event: dict, failed: list[str]) -> bool:
    """Whether the subscription this event is about is one Stripe could not cancel just now."""
    obj = event["data"]["object"]
    return isinstance(obj.get("subscription"), str) and obj["subscription"] in failed


@bp.post("/webhooks/stripe")
@csrf.exempt
@public
@metrics.counts_webhook("stripe")
def stripe_webhook():
    audit.acting_as("stripe", "Stripe")  # contract changes this event makes are recorded as Stripe's
    secret = current_app.config.get("STRIPE_WEBHOOK_SECRET")
    if not secret:
        # Not 400: Stripe keeps retrying, so events are applied once the secret is configured.
        return problem(503, "STRIPE_WEBHOOK_SECRET is not configured.")
    try:
        event = stripe_gateway.construct_event(request.get_data(), request.headers.get("Stripe-Signature"), secret)
    except stripe_gateway.InvalidWebhook as refused:
        return problem(400, str(refused))
    try:
        outcome = apply_once(event)
    except AlreadyApplied:
        outcome = "already processed"
    except MalformedEvent as malformed:  # no usable `created`: nothing was recorded, and nothing ever will be
        db.session.rollback()
        outcome = f"ignored: malformed event ({malformed})"
    except OperationalError:
        db.session.rollback()
        current_app.logger.warning("Stripe event %s (%s) deferred: the database is unavailable or busy",
                                   event["id"], event.get("type"))
        return _retry_later("The database is unavailable or busy; the event will be retried.")
    except Exception:
        # Nothing half-applied: roll back and answer 500 so Stripe delivers it again.
        db.session.rollback()
        current_app.logger.exception("Applying Stripe event %s (%s) failed", event["id"], event.get("type"))
        return problem(500, "The event could not be applied; it will be retried.")
    current_app.logger.info("Stripe event %s (%s): %s", event["id"], event.get("type"), outcome)
    # After the commit, and on every redelivery too, so a cancellation that failed is tried again.
    try:
        cancelled = cancel_duplicate_subscriptions()
    except OperationalError:
        db.session.rollback()
        return _retry_later("The database is unavailable or busy; the event will be retried.")
    if _own_duplicate_pending(event, cancelled.failed):
        return _retry_later("Stripe could not cancel the duplicate subscription just now; it will be retried.")
    return jsonify(received=True, outcome=outcome)
