"""One live contract per customer when checkouts for it arrive at once on several gunicorn workers."""
from __future__ import annotations

import threading

import pytest
import requests
from sqlalchemy import select

from dashboard.billing.models import Contract
from dashboard.extensions import db
from tests.billing.conftest import WEBHOOK_SECRET, paid_subscriptions, signed
from tests.billing.gunicorn_app import gunicorn_app


def deliver_all_at_once(base_url: str, events: list[dict]) -> list[int]:
    """POST every event from its own thread, released together; returns the status codes."""
    start = threading.Barrier(len(events))
    statuses = []

    def post(event):
        body, headers = signed(event)
        start.wait()
        statuses.append(requests.post(f"{base_url}/webhooks/stripe", data=body, headers=headers, timeout=60).status_code)

    threads = [threading.Thread(target=post, args=(event,)) for event in events]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def contracts_of(customer) -> list[Contract]:
    db.session.expire_all()
    return list(db.session.scalars(select(Contract).where(Contract.customer_id == customer.customer_id)))


@pytest.fixture
def live_app(migrated, stripe_standin, tmp_path, plan):
    """The app under gunicorn (4 workers on PostgreSQL, 2 on SQLite) pointed at the Stripe stand-in."""
    workers = 4 if migrated.startswith("postgresql") else 2
    with gunicorn_app(migrated, tmp_path, workers, STRIPE_SECRET_KEY=stripe_standin.api_key,
                      STRIPE_API_BASE=stripe_standin.base_url, STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET) as base_url:
        yield base_url


def test_simultaneous_checkouts_on_several_workers_leave_one_active_contract_and_cancel_the_rest(
        live_app, migrated, stripe_standin, plan):
    events_per_run = 12 if migrated.startswith("postgresql") else 6
    runs = []
    for _ in range(5):
        customer, events = paid_subscriptions(stripe_standin, plan, events_per_run)
        statuses = deliver_all_at_once(live_app, events)
        contracts = contracts_of(customer)
        subscriptions = {event["data"]["object"]["subscription"] for event in events}
        cancelled = [sub for sub in stripe_standin.cancelled_subscription_ids() if sub in subscriptions]
        active = [contract.stripe_subscription_id for contract in contracts if contract.status == "active"]
        runs.append({"statuses": sorted(set(statuses)), "active": len(active), "cancelled": len(cancelled),
                     "cancelled once each": len(set(cancelled)) == len(cancelled),
                     "winner kept": bool(active) and active[0] not in cancelled,
                     "duplicates recorded": sum(contract.status == "duplicate" for contract in contracts)})

    expected = {"statuses": [200], "active": 1, "cancelled": events_per_run - 1, "cancelled once each": True,
                "winner kept": True, "duplicates recorded": events_per_run - 1}
    summary = [(run["active"], run["cancelled"]) for run in runs]
    assert runs == [expected] * 5, f"(active contracts, cancellations) per run: {summary}"
