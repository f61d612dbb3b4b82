"""POST /webhooks/stripe: verify the signature, then apply each event exactly once in one transaction."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy.exc import IntegrityError

from dashboard.access import public
from dashboard.billing import stripe_gateway
from dashboard.billing.contracts import HANDLERS, timestamp
from dashboard.billing.models import StripeEvent
from dashboard.errors import problem
from dashboard.extensions import csrf, db

bp = Blueprint("stripe_webhooks", __name__)


class AlreadyApplied(Exception):
    """Another delivery of this event was (or is being) applied."""


def apply_once(event: dict) -> str:
    """Record the event and apply it in the same transaction; the event id's primary key admits one delivery."""
    at = timestamp(event.get("created"))
    db.session.rollback()  # a fresh transaction whose first write is the event row
    db.session.add(StripeEvent(event_id=event["id"], type=str(event.get("type")), stripe_created=at))
    try:
        # A concurrent duplicate waits here for the first to commit, then fails on the primary key.
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise AlreadyApplied from None
    handler = HANDLERS.get(event.get("type"))
    outcome = handler(event["data"]["object"], at) if handler else "ignored: not an event we act on"
    db.session.commit()
    return outcome


@bp.post("/webhooks/stripe")
@csrf.exempt
@public
def stripe_webhook():
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
        return jsonify(received=True, outcome="already processed")
    except Exception:
        # Nothing half-applied: roll back and answer 500 so Stripe delivers it again.
        db.session.rollback()
        current_app.logger.exception("Applying Stripe event %s (%s) failed", event["id"], event.get("type"))
        return problem(500, "The event could not be applied; it will be retried.")
    current_app.logger.info("Stripe event %s (%s): %s", event["id"], event.get("type"), outcome)
    return jsonify(received=True, outcome=outcome)
