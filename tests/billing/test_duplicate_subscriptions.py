"""A second paid subscription is cancelled at Stripe and recorded; the first one applied stays the live contract."""
from __future__ import annotations

import time

from sqlalchemy import select

from dashboard.billing.duplicate_subscriptions import cancel_duplicate_subscriptions
from dashboard.billing.models import Contract, StripeEvent
from dashboard.extensions import db
from tests import factories
from tests.billing.conftest import WEBHOOK_SECRET, deliver, paid_subscriptions
from tests.billing.gunicorn_app import free_port


def contract_for(event) -> Contract:
    db.session.expire_all()
    return db.session.scalars(select(Contract).where(
        Contract.stripe_subscription_id == event["data"]["object"]["subscription"])).one()


def subscription_of(event) -> str:
    return event["data"]["object"]["subscription"]


def test_a_second_paid_checkout_is_cancelled_at_stripe_and_recorded_for_support(client, stripe_standin, plan):
    _, (first, second) = paid_subscriptions(stripe_standin, plan, 2)

    kept, duplicate = deliver(client, first), deliver(client, second)

    live, cancelled = contract_for(first), contract_for(second)
    assert kept.get_json()["outcome"] == "contract created"
    assert duplicate.status_code == 200
    assert duplicate.get_json()["outcome"] == \
        f"duplicate of contract {live.contract_id}: the subscription is cancelled at Stripe"
    assert (live.status, cancelled.status) == ("active", "duplicate")
    assert cancelled.end_reason == (f"A second paid subscription while contract {live.contract_id} "
                                    f"({subscription_of(first)}) was active: cancelled at Stripe.")
    assert cancelled.ended_at is not None and cancelled.stripe_cancelled_at is not None
    assert stripe_standin.cancelled_subscription_ids() == [subscription_of(second)]
    assert stripe_standin.objects[subscription_of(second)]["status"] == "canceled"
    assert db.session.get(StripeEvent, second["id"]).outcome == duplicate.get_json()["outcome"]


def test_the_cancellation_keeps_stripes_default_proration(client, stripe_standin, plan):
    _, (first, second) = paid_subscriptions(stripe_standin, plan, 2)

    deliver(client, first), deliver(client, second)

    (_, params), = stripe_standin.cancellations
    assert set(params) == {"cancellation_details"}  # neither prorate nor invoice_now: Stripe's defaults
    assert "duplicate subscription" in params["cancellation_details"]["comment"]


def test_the_first_subscription_applied_wins_whatever_order_stripe_created_them(client, stripe_standin, plan):
    _, (older, newer) = paid_subscriptions(stripe_standin, plan, 2)

    deliver(client, newer), deliver(client, older)

    assert (contract_for(newer).status, contract_for(older).status) == ("active", "duplicate")
    assert stripe_standin.cancelled_subscription_ids() == [subscription_of(older)]


def test_redeliveries_and_later_events_of_a_duplicate_change_nothing_and_cancel_once(client, stripe_standin, plan):
    _, (first, second) = paid_subscriptions(stripe_standin, plan, 2)
    deliver(client, first), deliver(client, second)
    cancelled = {**stripe_standin.objects[subscription_of(second)], "ended_at": int(time.time())}
    invoice = {"id": "in_dup", "object": "invoice", "subscription": subscription_of(second),
               "lines": {"data": [{"period": {"start": 1, "end": 2_000_000_000}}]}}

    outcomes = [deliver(client, event).get_json()["outcome"] for event in (
        second, stripe_standin.event("invoice.paid", invoice),
        stripe_standin.event("customer.subscription.deleted", cancelled))]

    assert outcomes == ["already processed"] + ["ignored: a duplicate subscription, cancelled at Stripe"] * 2
    assert contract_for(second).status == "duplicate" and contract_for(first).status == "active"
    assert cancel_duplicate_subscriptions().cancelled == []
    assert stripe_standin.cancelled_subscription_ids() == [subscription_of(second)]


def test_a_contract_given_by_hand_gives_way_to_a_paid_one(client, stripe_standin, plan):
    customer, (paid,) = paid_subscriptions(stripe_standin, plan, 1)
    by_hand = factories.make_contract(customer)
    db.session.commit()

    assert deliver(client, paid).get_json()["outcome"] == "contract created"

    db.session.expire_all()
    assert db.session.get(Contract, by_hand.contract_id).status == "ended"
    assert contract_for(paid).status == "active" and stripe_standin.cancellations == []


def test_the_checkout_return_of_the_cancelled_tab_shows_the_plan_the_customer_has(client, login_as, stripe_standin,
                                                                                   plan):
    customer, (first, second) = paid_subscriptions(stripe_standin, plan, 2)
    deliver(client, first), deliver(client, second)

    page = login_as(customer).get(f"/billing/return?session_id={second['data']['object']['id']}")

    assert f"Your {plan.name} plan is active" in page.get_data(as_text=True)


def test_the_cancel_duplicates_command_finishes_what_stripe_could_not_take_at_the_time(
        app, client, make_app, stripe_standin, plan):
    _, (first, second) = paid_subscriptions(stripe_standin, plan, 2)
    deliver(client, first)
    cut_off = make_app(STRIPE_SECRET_KEY=stripe_standin.api_key, STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
                       STRIPE_API_BASE=f"http://127.0.0.1:{free_port()}")
    assert deliver(cut_off.test_client(), second).status_code == 503

    result = app.test_cli_runner().invoke(args=["billing", "cancel-duplicates"])

    assert result.exit_code == 0 and "1 duplicate subscription(s) cancelled at Stripe." in result.output
    assert stripe_standin.cancelled_subscription_ids() == [subscription_of(second)]
    assert contract_for(second).stripe_cancelled_at is not None
