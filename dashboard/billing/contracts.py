"""Contract lifecycle driven by Stripe events: created at checkout, renewed, changed, ended; never revived.

A customer has at most one live contract: checkout locks the customer's row, and a second paid subscription
is recorded as a duplicate, to be cancelled at Stripe after the commit (`cancel_duplicate_subscriptions`).
"""
from __future__ import annotations

import calendar
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from dashboard.auth.models import Customer
from dashboard.billing.entitlements import active_contract
from dashboard.billing.event_fields import digits, listing, mapping, text, timestamp
from dashboard.billing.models import Contract, Plan
from dashboard.extensions import db
from dashboard.signals import contract_activated, contract_updated

ENDED_SUBSCRIPTION_STATUSES = {"canceled", "incomplete_expired"}
# Statuses no later event changes (the contract is over, or was a duplicate cancelled at Stripe), and why.
FINAL_STATUSES = {"ended": "ignored: the contract has ended",
                  "duplicate": "ignored: a duplicate subscription, cancelled at Stripe"}


def period_end(start: datetime, cadence: str) -> datetime:
    """One billing period after `start`: calendar months or years, clamped to the month's last day, as Stripe bills."""
    months = 12 if cadence == "yearly" else 1
    year, month = divmod(start.month - 1 + months, 12)
    year += start.year
    day = min(start.day, calendar.monthrange(year, month + 1)[1])
    return start.replace(year=year, month=month + 1, day=day)


def _contract_for(subscription_id: str | None) -> Contract | None:
    if not subscription_id:
        return None
    # Row lock on PostgreSQL: two different events for one subscription apply one after the other.
    return db.session.scalars(
        select(Contract).where(Contract.stripe_subscription_id == subscription_id).with_for_update(of=Contract)
    ).first()


def _why_not_apply(contract: Contract | None, at: datetime) -> str | None:
    """Why an event for this contract must change nothing: unknown, ended, or older than one already applied."""
    if contract is None:
        return "ignored: no contract for this subscription"
    if contract.status in FINAL_STATUSES:
        return FINAL_STATUSES[contract.status]
    if contract.stripe_event_created is not None and at < contract.stripe_event_created:
        return "ignored: older than the last event applied"
    return None


def _locked_customer(customer_id: int | None) -> Customer | None:
    """The customer, its row locked until the commit (PostgreSQL), so one checkout decides at a time.

    SQLite has no row locks, but the webhook's transaction began with a write (the event row), so it
    already holds the database's only write lock and the decision below is serialised all the same.
    """
    if customer_id is None:
        return None
    return db.session.scalars(select(Customer).where(Customer.customer_id == customer_id)
                              .with_for_update().execution_options(populate_existing=True)).first()


def _end_active_contracts(customer_id: int, at: datetime) -> None:
    for contract in db.session.scalars(select(Contract).where(Contract.customer_id == customer_id,
                                                              Contract.status == "active")):
        contract.status, contract.ended_at = "ended", at
        contract.end_reason = "replaced by a new paid checkout"


def checkout_completed(session: dict, at: datetime) -> str:
    """A paid subscription checkout: the customer's first live contract, or a duplicate to cancel at Stripe."""
    if session.get("mode") != "subscription":
        return "ignored: not a subscription checkout"
    plan = db.session.get(Plan, digits(mapping(session, "metadata").get("plan_id")) or 0)
    subscription_id = text(session, "subscription")
    customer = _locked_customer(digits(session.get("client_reference_id")))
    if customer is None or plan is None:
        return "ignored: unknown customer or plan"
    if subscription_id and _contract_for(subscription_id) is not None:
        return "ignored: this subscription already has a contract"
    contract = Contract(customer_id=customer.customer_id, plan_id=plan.plan_id, plan_access_id=plan.plan_access_id,
                        refreshed_date=at, expiry_date=period_end(at, plan.cadence), status="active",
                        stripe_subscription_id=subscription_id, stripe_event_created=at)
    if customer.stripe_customer_id is None and text(session, "customer"):
        customer.stripe_customer_id = session["customer"]
    live = active_contract(customer.customer_id)
    if live is not None and live.stripe_subscription_id and subscription_id:
        # The first subscription applied stays; this one is cancelled at Stripe after the commit.
        contract.status, contract.ended_at = "duplicate", at
        contract.end_reason = (f"A second paid subscription while contract {live.contract_id} "
                               f"({live.stripe_subscription_id}) was active: cancelled at Stripe.")
        db.session.add(contract)
        return f"duplicate of contract {live.contract_id}: the subscription is cancelled at Stripe"
    # A contract without a subscription (given by hand) or one past its period gives way to the paid one.
    _end_active_contracts(customer.customer_id, at)
    db.session.add(contract)
    contract_activated.send(current_app._get_current_object(), customer=customer)
    _announce(contract)
    return "contract created"


def _announce(contract: Contract) -> None:
    """Tell higher domains (outgoing webhooks) the contract changed, in this transaction."""
    db.session.flush()
    contract_updated.send(current_app._get_current_object(), contract_id=contract.contract_id)


def _invoice_subscription(invoice: dict) -> str | None:
    # API versions from 2025 move the subscription under parent.subscription_details.
    details = mapping(mapping(invoice, "parent"), "subscription_details")
    return text(invoice, "subscription") or text(details, "subscription")


def invoice_paid(invoice: dict, at: datetime) -> str:
    """A renewal: the contract's period moves to the one this invoice paid for."""
    contract = _contract_for(_invoice_subscription(invoice))
    refused = _why_not_apply(contract, at)
    if refused:
        return refused
    lines = listing(mapping(invoice, "lines"), "data")
    period = mapping(lines[0], "period") if lines else {}
    start, end = timestamp(period.get("start")), timestamp(period.get("end"))
    if start and end:
        contract.refreshed_date, contract.expiry_date = start, end
    else:
        contract.refreshed_date, contract.expiry_date = at, period_end(at, contract.plan.cadence)
    contract.stripe_event_created = at
    _announce(contract)
    return "contract renewed"


def _plan_for_price(price: dict | None) -> Plan | None:
    if not price:
        return None
    found = db.session.scalars(select(Plan).where(Plan.stripe_price_id == text(price, "id"))).first()
    if found is None and text(price, "lookup_key"):
        found = db.session.scalars(select(Plan).where(Plan.lookup_key == price["lookup_key"])).first()
    return found


def subscription_updated(subscription: dict, at: datetime) -> str:
    """A plan change, a new period, or a cancellation that took effect."""
    contract = _contract_for(text(subscription, "id"))
    refused = _why_not_apply(contract, at)
    if refused:
        return refused
    contract.stripe_event_created = at
    if text(subscription, "status") in ENDED_SUBSCRIPTION_STATUSES:
        contract.status, contract.ended_at = "ended", timestamp(subscription.get("ended_at")) or at
        _announce(contract)
        return "contract ended"
    # Cancelled in the portal to end with the paid period: still active, but it will not renew.
    contract.cancel_at_period_end = bool(subscription.get("cancel_at_period_end") or subscription.get("cancel_at"))
    items = listing(mapping(subscription, "items"), "data") or [{}]
    plan = _plan_for_price(mapping(items[0], "price"))
    if plan is not None:
        contract.plan_id, contract.plan_access_id = plan.plan_id, plan.plan_access_id
    start = items[0].get("current_period_start") or subscription.get("current_period_start")
    end = items[0].get("current_period_end") or subscription.get("current_period_end")
    if start and end:
        contract.refreshed_date, contract.expiry_date = timestamp(start), timestamp(end)
    _announce(contract)
    return "contract updated"


def subscription_deleted(subscription: dict, at: datetime) -> str:
    """The subscription is over: its contract ends, and a checkout event arriving later cannot start it."""
    contract = _contract_for(text(subscription, "id"))
    if contract is None:
        metadata = mapping(subscription, "metadata")
        customer = db.session.get(Customer, digits(metadata.get("customer_id")) or 0)
        plan = db.session.get(Plan, digits(metadata.get("plan_id")) or 0)
        if customer is None or plan is None:
            return "ignored: no contract for this subscription"
        # Recorded ended, so the late checkout.session.completed finds it and creates nothing.
        db.session.add(Contract(customer_id=customer.customer_id, plan_id=plan.plan_id,
                                plan_access_id=plan.plan_access_id, stripe_subscription_id=subscription["id"],
                                status="ended", ended_at=at, refreshed_date=at, expiry_date=at,
                                stripe_event_created=at))
        return "recorded as ended before its checkout arrived"
    if contract.status in FINAL_STATUSES:
        return FINAL_STATUSES[contract.status]
    contract.status, contract.ended_at = "ended", timestamp(subscription.get("ended_at")) or at
    contract.stripe_event_created = max(at, contract.stripe_event_created or at)
    _announce(contract)
    return "contract ended"


HANDLERS = {
    "checkout.session.completed": checkout_completed,
    "invoice.paid": invoice_paid,
    "customer.subscription.updated": subscription_updated,
    "customer.subscription.deleted": subscription_deleted,
}
