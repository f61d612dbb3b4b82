"""Billing fixtures: an app pointed at the Stripe stand-in, synced plans, and signed webhook deliveries."""
from __future__ import annotations

import json

import pytest

from dashboard.billing import stripe_gateway
from dashboard.billing.catalog_sync import sync_plans_to_stripe
from dashboard.extensions import db
from tests import factories
from tests.standins.stripe_signing import sign_payload

WEBHOOK_SECRET = "whsec_test_billing"


@pytest.fixture
def app(make_app, stripe_standin):
    """Every billing test talks to the stand-in over HTTP, as production talks to Stripe."""
    app = make_app(STRIPE_SECRET_KEY=stripe_standin.api_key, STRIPE_API_BASE=stripe_standin.base_url,
                   STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET)
    with app.app_context():
        yield app


@pytest.fixture
def plan(db):
    """A monthly plan on sale, synced to the stand-in (so it has a Stripe price)."""
    made = factories.make_plan(name="Growth Monthly", cost="149.00", max_call_minutes=1000)
    db.session.commit()
    sync_plans_to_stripe(echo=lambda line: None)
    return made


@pytest.fixture
def new_customer(db):
    """A customer who has not bought a plan yet, part-way through onboarding."""
    made = factories.make_customer(name="Fresh Bakery", email="owner@fresh.example", with_contract=False,
                                   onboarding_step="plan")
    db.session.commit()
    return made


def signed(event: dict, secret: str = WEBHOOK_SECRET, timestamp: int | None = None) -> tuple[bytes, dict]:
    body = json.dumps(event).encode()
    return body, {"Stripe-Signature": sign_payload(body, secret, timestamp), "Content-Type": "application/json"}


def deliver(client, event: dict, **signing):
    """POST a webhook delivery signed exactly as Stripe signs it."""
    body, headers = signed(event, **signing)
    return client.post("/webhooks/stripe", data=body, headers=headers)


def checkout(client, plan) -> str:
    """Start Checkout through the app; returns the stand-in's checkout session id."""
    response = client.post(f"/billing/checkout/{plan.plan_id}")
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"].rsplit("/", 1)[1]


def paid_checkout(client, standin, plan) -> dict:
    """Checkout, paid on the stand-in; returns its checkout.session.completed event (not yet delivered)."""
    return standin.complete_checkout(checkout(client, plan))


def refresh(obj):
    db.session.expire_all()
    return db.session.get(type(obj), db.inspect(obj).identity[0])


def paid_subscriptions(standin, plan, count: int):
    """A new customer who paid `count` checkouts (as in several tabs): their checkout.session.completed events."""
    customer = factories.make_customer(with_contract=False, onboarding_step="plan")
    db.session.commit()
    customer.stripe_customer_id = stripe_gateway.create_customer(customer.customer_id, customer.email, customer.name)
    db.session.commit()
    events = []
    for _ in range(count):
        url = stripe_gateway.create_checkout_session(
            stripe_customer_id=customer.stripe_customer_id, price_id=plan.stripe_price_id,
            customer_id=customer.customer_id, plan_id=plan.plan_id,
            success_url="https://app.test/billing/return", cancel_url="https://app.test/billing/plans")
        events.append(standin.complete_checkout(url.rsplit("/", 1)[1]))
    return customer, events
