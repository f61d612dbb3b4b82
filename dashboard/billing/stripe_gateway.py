"""Stripe, reached only through here: customers, the catalog, Checkout, the Billing Portal and webhook signatures."""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import stripe
from flask import current_app

from dashboard import metrics

WEBHOOK_TOLERANCE_SECONDS = 300


class StripeFailure(Exception):
    """Stripe refused or could not be reached; `message` is fit to show people."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class InvalidWebhook(Exception):
    """A webhook delivery whose signature, timestamp or body cannot be trusted."""


def configured() -> bool:
    return bool(current_app.config.get("STRIPE_SECRET_KEY"))


def _client() -> stripe.StripeClient:
    if not configured():
        raise StripeFailure("Payments are not configured on this server (STRIPE_SECRET_KEY is not set).")
    return stripe.StripeClient(current_app.config["STRIPE_SECRET_KEY"],
                               base_addresses={"api": current_app.config["STRIPE_API_BASE"]},
                               max_network_retries=2)


@contextmanager
def _calling_stripe(action: str) -> Iterator[None]:
    try:
        with metrics.timed_call("stripe"):
            yield
    except stripe.StripeError as error:
        # The request id lets support find the call in Stripe's logs; the key never appears in errors.
        current_app.logger.warning("Stripe refused to %s: %s (request %s)", action, error.user_message or error,
                                   getattr(error, "request_id", None))
        raise StripeFailure(f"Stripe could not {action} just now. Please try again in a moment.") from error


def create_customer(customer_id: int, email: str, name: str) -> str:
    """A new Stripe customer for ours; the idempotency key makes two simultaneous first checkouts share one."""
    with _calling_stripe("set up your billing account"):
        created = _client().v1.customers.create(
            {"email": email, "name": name, "metadata": {"customer_id": str(customer_id)}},
            {"idempotency_key": f"angelcx-customer-{customer_id}"},
        )
    return created.id


def create_checkout_session(*, stripe_customer_id: str, price_id: str, customer_id: int, plan_id: int,
                            success_url: str, cancel_url: str) -> str:
    """A subscription-mode Checkout Session; returns the URL of Stripe's hosted page."""
    ids = {"customer_id": str(customer_id), "plan_id": str(plan_id)}
    with _calling_stripe("start checkout"):
        session = _client().v1.checkout.sessions.create({
            "mode": "subscription", "customer": stripe_customer_id,
            "line_items": [{"price": price_id, "quantity": 1}],
            "client_reference_id": str(customer_id), "metadata": {"plan_id": str(plan_id)},
            # On the subscription too, so its later events name our customer and plan by themselves.
            "subscription_data": {"metadata": ids},
            "success_url": success_url, "cancel_url": cancel_url,
        })
    return session.url


def _is_missing(error: stripe.StripeError) -> bool:
    return isinstance(error, stripe.InvalidRequestError) and error.http_status == 404


def retrieve_checkout_session(session_id: str) -> dict | None:
    """The Checkout Session as a dict, or None when Stripe has no such session."""
    with _calling_stripe("look up your checkout"):
        try:
            return _client().v1.checkout.sessions.retrieve(session_id).to_dict()
        except stripe.InvalidRequestError as error:
            if _is_missing(error):
                return None
            raise


def create_portal_session(stripe_customer_id: str, return_url: str) -> str:
    with _calling_stripe("open the billing portal"):
        session = _client().v1.billing_portal.sessions.create(
            {"customer": stripe_customer_id, "return_url": return_url})
    return session.url


def retrieve_product(product_id: str) -> dict | None:
    with _calling_stripe("read a product"):
        try:
            return _client().v1.products.retrieve(product_id).to_dict()
        except stripe.InvalidRequestError as error:
            if _is_missing(error):
                return None
            raise


def save_product(product_id: str, fields: dict, exists: bool) -> dict:
    with _calling_stripe("save a product"):
        products = _client().v1.products
        saved = products.update(product_id, fields) if exists else products.create({"id": product_id, **fields})
    return saved.to_dict()


def price_with_lookup_key(lookup_key: str) -> dict | None:
    with _calling_stripe("read prices"):
        found = _client().v1.prices.list({"lookup_keys": [lookup_key], "limit": 1})
    return found.data[0].to_dict() if found.data else None


def create_price(fields: dict) -> dict:
    """A new price; transfer_lookup_key moves the lookup key off the price that held it."""
    with _calling_stripe("create a price"):
        return _client().v1.prices.create({**fields, "transfer_lookup_key": True}).to_dict()


def deactivate_price(price_id: str) -> None:
    with _calling_stripe("retire an old price"):
        _client().v1.prices.update(price_id, {"active": False})


CANCELLED_STATUSES = ("canceled", "incomplete_expired")


def cancel_subscription(subscription_id: str, comment: str) -> None:
    """Cancel now, with Stripe's default proration; one already cancelled or gone counts as done (safe to repeat)."""
    with _calling_stripe("cancel a duplicate subscription"):
        client = _client()
        try:
            client.v1.subscriptions.cancel(subscription_id, {"cancellation_details": {"comment": comment}})
        except stripe.InvalidRequestError as error:
            # Stripe refuses to cancel twice: look before calling it a failure.
            if _is_missing(error) or client.v1.subscriptions.retrieve(subscription_id).status in CANCELLED_STATUSES:
                return
            raise


def construct_event(payload: bytes, signature: str | None, secret: str) -> dict:
    """The verified event as plain dicts; InvalidWebhook for a bad signature, stale timestamp or malformed body."""
    try:
        event = stripe.Webhook.construct_event(payload, signature, secret, tolerance=WEBHOOK_TOLERANCE_SECONDS)
    except stripe.SignatureVerificationError as error:
        raise InvalidWebhook(f"Signature verification failed: {error.user_message or error}") from None
    except (ValueError, AttributeError, TypeError):
        # Not UTF-8 or not JSON (ValueError), or JSON that is not an object (the library then fails on .get).
        raise InvalidWebhook("The body is not a JSON event.") from None
    event = event.to_dict()
    well_formed = (isinstance(event.get("id"), str) and isinstance(event.get("type"), str)
                   and isinstance(event.get("created"), int) and isinstance(event.get("data"), dict)
                   and isinstance(event["data"].get("object"), dict))
    if not well_formed:
        raise InvalidWebhook("The body is not a Stripe event.")
    return event
