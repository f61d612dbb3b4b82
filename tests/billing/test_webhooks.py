"""POST /webhooks/stripe: only signed events count, each once, and late events never undo newer ones."""
from __future__ import annotations

import copy
import json
import threading
import time

import pytest
import requests
from sqlalchemy import func, select
from werkzeug.serving import make_server

from dashboard.auth.models import AuditEvent
from dashboard.billing.models import Contract, StripeEvent
from dashboard.extensions import db
from tests import factories
from tests.billing.conftest import WEBHOOK_SECRET, deliver, paid_checkout, refresh, signed


def counts():
    return (db.session.scalar(select(func.count()).select_from(StripeEvent)),
            db.session.scalar(select(func.count()).select_from(Contract)))


@pytest.fixture
def completed(login_as, new_customer, plan, stripe_standin):
    """A paid checkout's checkout.session.completed event, not yet delivered."""
    return paid_checkout(login_as(new_customer), stripe_standin, plan)


def contract_of(event):
    db.session.expire_all()
    return db.session.scalars(select(Contract).where(
        Contract.stripe_subscription_id == event["data"]["object"]["subscription"])).one()


def later(event_type, obj, standin, seconds, **previous):
    """A stand-in event `seconds` after now (Stripe's `created` has one-second resolution)."""
    event = standin.event(event_type, obj, previous or None)
    event["created"] += seconds
    return event


@pytest.mark.parametrize("tamper", ["bad signature", "stale timestamp", "tampered body", "no signature",
                                    "malformed JSON", "not an event"])
def test_untrusted_deliveries_are_400_and_change_nothing(client, completed, tamper):
    body, headers = signed(completed)
    if tamper == "bad signature":
        body, headers = signed(completed, secret="whsec_someone_else")
    elif tamper == "stale timestamp":
        body, headers = signed(completed, timestamp=int(time.time()) - 301)
    elif tamper == "tampered body":
        body = body.replace(b'"paid"', b'"unpaid"')
    elif tamper == "no signature":
        del headers["Stripe-Signature"]
    elif tamper == "malformed JSON":
        body = b'{"id": "evt_1", "type": "checkout.session.completed", '
        headers["Stripe-Signature"] = signed_raw(body)
    elif tamper == "not an event":
        body = b'["evt_1"]'
        headers["Stripe-Signature"] = signed_raw(body)

    response = client.post("/webhooks/stripe", data=body, headers=headers)

    assert response.status_code == 400 and response.is_json
    assert response.get_json()["status"] == 400
    assert counts() == (0, 0)


def signed_raw(body: bytes) -> str:
    from tests.standins.stripe_signing import sign_payload

    return sign_payload(body, WEBHOOK_SECRET)


def test_without_a_webhook_secret_deliveries_are_refused_for_a_retry(make_app, completed):
    body, headers = signed(completed)
    response = make_app().test_client().post("/webhooks/stripe", data=body, headers=headers)

    assert response.status_code == 503 and counts()[0] == 0


def test_a_replayed_event_is_applied_once(client, completed):
    first, second = deliver(client, completed), deliver(client, completed)

    assert first.get_json()["outcome"] == "contract created"
    assert (second.status_code, second.get_json()["outcome"]) == (200, "already processed")
    assert counts() == (1, 1)
    # The audit log names Stripe as who created the contract, once.
    [created] = db.session.scalars(select(AuditEvent).where(AuditEvent.kind == "contract.created")).all()
    assert (created.actor_kind, created.actor_label, created.actor_member_id) == ("stripe", "Stripe", None)


def test_simultaneous_duplicates_on_two_workers_apply_once(app, completed):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    body, headers = signed(completed)
    start = threading.Barrier(3)
    outcomes = []

    def post():
        start.wait()
        response = requests.post(f"http://127.0.0.1:{server.server_port}/webhooks/stripe", data=body,
                                 headers=headers, timeout=20)
        outcomes.append((response.status_code, response.json().get("outcome")))

    workers = [threading.Thread(target=post) for _ in range(2)]
    for worker in workers:
        worker.start()
    start.wait()
    for worker in workers:
        worker.join()
    server.shutdown()
    thread.join()

    assert sorted(outcomes) == [(200, "already processed"), (200, "contract created")]
    assert counts() == (1, 1)


def test_a_failure_while_applying_rolls_back_and_asks_for_a_retry(client, completed, other_customer, new_customer):
    # The Stripe customer on the session already belongs to someone else: saving it fails at commit.
    new_customer = refresh(new_customer)
    taken = new_customer.stripe_customer_id
    new_customer.stripe_customer_id = None
    db.session.commit()
    refresh(other_customer).stripe_customer_id = taken
    db.session.commit()

    failed = deliver(client, completed)

    assert failed.status_code == 500 and failed.is_json
    assert counts() == (0, 1)  # neither the event nor a contract was kept
    refresh(other_customer).stripe_customer_id = None
    db.session.commit()
    assert deliver(client, completed).get_json()["outcome"] == "contract created"  # Stripe's retry succeeds


def test_invoice_paid_renews_the_period(client, completed, stripe_standin):
    deliver(client, completed)
    subscription = stripe_standin.objects[completed["data"]["object"]["subscription"]]
    start, end = subscription["current_period_end"], subscription["current_period_end"] + 31 * 86400
    invoice = {"id": "in_1", "object": "invoice", "status": "paid", "billing_reason": "subscription_cycle",
               "parent": {"type": "subscription_details",
                          "subscription_details": {"subscription": subscription["id"]}},
               "lines": {"object": "list", "data": [{"period": {"start": start, "end": end}}]}}

    assert deliver(client, later("invoice.paid", invoice, stripe_standin, 5)).get_json()["outcome"] == \
        "contract renewed"

    contract = contract_of(completed)
    assert (int(contract.refreshed_date.timestamp()), int(contract.expiry_date.timestamp())) == (start, end)


def test_a_plan_change_applies_and_an_older_one_arriving_late_does_not(client, completed, stripe_standin, db):
    deliver(client, completed)
    subscription = stripe_standin.objects[completed["data"]["object"]["subscription"]]
    scale = factories.make_plan(name="Scale Monthly", max_call_minutes=5000)
    scale.stripe_price_id = "price_scale"
    db.session.commit()
    newer = copy.deepcopy(subscription)
    newer["items"]["data"][0]["price"] = {"id": "price_scale", "object": "price", "lookup_key": None}

    deliver(client, later("customer.subscription.updated", newer, stripe_standin, 20))
    stale = deliver(client, later("customer.subscription.updated", subscription, stripe_standin, 10))

    assert stale.get_json()["outcome"] == "ignored: older than the last event applied"
    contract = contract_of(completed)
    assert (contract.plan_id, contract.access.max_call_minutes) == (scale.plan_id, 5000)


def test_cancellation_ends_the_contract_and_late_events_never_revive_it(client, completed, stripe_standin):
    deliver(client, completed)
    subscription = stripe_standin.objects[completed["data"]["object"]["subscription"]]
    cancelled = {**subscription, "status": "canceled", "ended_at": int(time.time()) + 30}
    invoice = {"id": "in_2", "object": "invoice", "subscription": subscription["id"],
               "lines": {"data": [{"period": {"start": 1, "end": 2_000_000_000}}]}}

    assert deliver(client, later("customer.subscription.deleted", cancelled, stripe_standin, 30)) \
        .get_json()["outcome"] == "contract ended"
    outcomes = [deliver(client, later(kind, obj, stripe_standin, seconds)).get_json()["outcome"]
                for kind, obj, seconds in (("customer.subscription.updated", subscription, 10),
                                           ("invoice.paid", invoice, 40),
                                           ("customer.subscription.updated", subscription, 50))]
    redelivered = deliver(client, completed).get_json()["outcome"]

    assert outcomes == ["ignored: the contract has ended"] * 3 and redelivered == "already processed"
    contract = contract_of(completed)
    assert contract.status == "ended" and contract.ended_at is not None
    assert client.get("/billing/").get_data(as_text=True).count("No active plan") == 1


def test_a_cancellation_arriving_before_its_checkout_keeps_the_contract_ended(client, completed, stripe_standin,
                                                                               new_customer):
    subscription = stripe_standin.objects[completed["data"]["object"]["subscription"]]
    deliver(client, later("customer.subscription.deleted", {**subscription, "status": "canceled"},
                          stripe_standin, 30))

    outcome = deliver(client, completed).get_json()["outcome"]

    assert outcome == "ignored: this subscription already has a contract"
    assert contract_of(completed).status == "ended"
    assert refresh(new_customer).onboarding_step == "plan"


def test_events_we_do_not_act_on_are_recorded_and_acknowledged(client):
    event = {"id": "evt_other", "object": "event", "type": "customer.created", "created": int(time.time()),
             "data": {"object": {"id": "cus_1", "object": "customer"}}}

    response = deliver(client, event)

    assert response.get_json()["outcome"] == "ignored: not an event we act on"
    assert db.session.get(StripeEvent, "evt_other").type == "customer.created"


def test_the_webhook_needs_no_sign_in_or_csrf(make_app, completed):
    protected = make_app(WTF_CSRF_ENABLED=True, STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET)
    body, headers = signed(completed)

    response = protected.test_client().post("/webhooks/stripe", data=body, headers=headers)

    assert response.status_code == 200, json.loads(response.data)


def test_a_cancellation_at_period_end_keeps_the_plan_until_then_and_says_so(client, completed, stripe_standin):
    deliver(client, completed)
    subscription = stripe_standin.objects[completed["data"]["object"]["subscription"]]

    deliver(client, later("customer.subscription.updated", {**subscription, "cancel_at_period_end": True},
                          stripe_standin, 10, cancel_at_period_end=False))
    cancelling = client.get("/billing/").get_data(as_text=True)
    deliver(client, later("customer.subscription.updated", subscription, stripe_standin, 20,
                          cancel_at_period_end=True))
    renewed = client.get("/billing/").get_data(as_text=True)

    assert contract_of(completed).status == "active"
    assert "Ends on" in cancelling and "Cancelled: your plan stays active until" in cancelling
    assert "Renews on" in renewed and "Cancelled" not in renewed
