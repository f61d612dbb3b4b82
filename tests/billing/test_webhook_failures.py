"""Stripe retries what failed for a passing reason (503), and is told to stop for what can never apply (200)."""
from __future__ import annotations

import logging
import threading

from sqlalchemy import create_engine, func, select, text

from dashboard.billing.models import Contract, StripeEvent
from dashboard.extensions import db
from tests.billing.conftest import WEBHOOK_SECRET, deliver, paid_subscriptions
from tests.billing.gunicorn_app import free_port


def count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(model))


def test_stripe_unreachable_for_the_cancellation_answers_503_and_the_redelivery_cancels(
        client, make_app, stripe_standin, plan):
    _, (first, second) = paid_subscriptions(stripe_standin, plan, 2)
    deliver(client, first)
    cut_off = make_app(STRIPE_SECRET_KEY=stripe_standin.api_key, STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
                       STRIPE_API_BASE=f"http://127.0.0.1:{free_port()}").test_client()

    failed = deliver(cut_off, second)
    retried = deliver(client, second)

    assert (failed.status_code, failed.headers["Retry-After"], failed.mimetype) == \
        (503, "30", "application/problem+json")
    assert (retried.status_code, retried.get_json()["outcome"]) == (200, "already processed")
    assert stripe_standin.cancelled_subscription_ids() == [second["data"]["object"]["subscription"]]


def _hold_the_customer_row(database_url: str, customer_id: int, held: threading.Event, release: threading.Event):
    """Another transaction holding the lock a checkout needs: the customer's row, or SQLite's write lock."""
    engine = create_engine(database_url)
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        else:
            conn.execute(text("SELECT 1 FROM customer WHERE customer_id = :id FOR UPDATE"), {"id": customer_id})
        held.set()
        release.wait(30)
        conn.rollback()
    engine.dispose()


def test_a_lock_not_granted_in_time_answers_503_and_keeps_nothing(make_app, migrated, stripe_standin, plan):
    busy = make_app(STRIPE_SECRET_KEY=stripe_standin.api_key, STRIPE_API_BASE=stripe_standin.base_url,
                    STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET, STRIPE_WEBHOOK_LOCK_TIMEOUT_MS=300)
    with busy.app_context():
        customer, (paid,) = paid_subscriptions(stripe_standin, plan, 1)
        held, release = threading.Event(), threading.Event()
        holder = threading.Thread(target=_hold_the_customer_row,
                                  args=(migrated, customer.customer_id, held, release))
        holder.start()
        held.wait(10)
        try:
            refused = deliver(busy.test_client(), paid)
        finally:
            release.set()
            holder.join()

        assert (refused.status_code, refused.headers["Retry-After"]) == (503, "30")
        assert (count(StripeEvent), count(Contract)) == (0, 0)
        assert deliver(busy.test_client(), paid).get_json()["outcome"] == "contract created"


def test_events_that_can_never_apply_answer_200_with_the_reason_logged_without_personal_data(
        client, stripe_standin, plan, caplog):
    customer, (unknown, malformed) = paid_subscriptions(stripe_standin, plan, 2)
    unknown["data"]["object"]["client_reference_id"] = "999999"
    malformed["data"]["object"]["metadata"] = ["plan_id", str(plan.plan_id)]
    for event in (unknown, malformed):
        event["data"]["object"]["customer_details"] = {"email": customer.email, "name": customer.name}

    with caplog.at_level(logging.INFO):
        outcomes = [deliver(client, event) for event in (unknown, malformed)]

    assert [(response.status_code, response.get_json()["outcome"]) for response in outcomes] == [
        (200, "ignored: unknown customer or plan"), (200, "ignored: malformed event (metadata is not an object)")]
    assert db.session.get(StripeEvent, malformed["id"]).outcome == "ignored: malformed event (metadata is not an object)"
    assert count(Contract) == 0
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert f"{unknown['id']} (checkout.session.completed): ignored: unknown customer or plan" in logged
    assert customer.email not in logged and customer.name not in logged
