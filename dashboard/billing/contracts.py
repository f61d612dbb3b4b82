"""Contract lifecycle driven by Stripe events: created at checkout, renewed, changed, ended; never revived."""
from __future__ import annotations

import calendar
from datetime import UTC, datetime

from flask import current_app
from sqlalchemy import select

from dashboard.auth.models import Customer
from dashboard.billing.models import Contract, Plan
from dashboard.extensions import db
from dashboard.signals import contract_activated

ENDED_SUBSCRIPTION_STATUSES = {"canceled", "incomplete_expired"}


def period_end(start: datetime, cadence: str) -> datetime:
    """One billing period after `start`: calendar months or years, clamped to the month's last day, as Stripe bills."""
    months = 12 if cadence == "yearly" else 1
    year, month = divmod(start.month - 1 + months, 12)
    year += start.year
    day = min(start.day, calendar.monthrange(year, month + 1)[1])
    return start.replace(year=year, month=month + 1, day=day)


def timestamp(value) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(int(value), UTC)


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
    if contract.status == "ended":
        return "ignored: the contract has ended"
    if contract.stripe_event_created is not None and at < contract.stripe_event_created:
        return "ignored: older than the last event applied"
    return None


def _digits(value) -> int | None:
    return int(value) if isinstance(value, str) and value.isdigit() else None


def _end_active_contracts(customer_id: int, at: datetime) -> None:
    for contract in db.session.scalars(select(Contract).where(Contract.customer_id == customer_id,
                                                              Contract.status == "active")):
        contract.status, contract.ended_at = "ended", at


def checkout_completed(session: dict, at: datetime) -> str:
    """A paid subscription checkout: the customer's new contract replaces any active one."""
    if session.get("mode") != "subscription":
        return "ignored: not a subscription checkout"
    customer = db.session.get(Customer, _digits(session.get("client_reference_id")) or 0)
    plan = db.session.get(Plan, _digits((session.get("metadata") or {}).get("plan_id")) or 0)
    if customer is None or plan is None:
        return "ignored: unknown customer or plan"
    subscription_id = session.get("subscription")
    if subscription_id and _contract_for(subscription_id) is not None:
        return "ignored: this subscription already has a contract"
    _end_active_contracts(customer.customer_id, at)
    db.session.add(Contract(customer_id=customer.customer_id, plan_id=plan.plan_id, plan_access_id=plan.plan_access_id,
                            refreshed_date=at, expiry_date=period_end(at, plan.cadence), status="active",
                            stripe_subscription_id=subscription_id, stripe_event_created=at))
    if customer.stripe_customer_id is None and session.get("customer"):
        customer.stripe_customer_id = session["customer"]
    contract_activated.send(current_app._get_current_object(), customer=customer)
    return "contract created"


def _invoice_subscription(invoice: dict) -> str | None:
    # API versions from 2025 move the subscription under parent.subscription_details.
    details = (invoice.get("parent") or {}).get("subscription_details") or {}
    return invoice.get("subscription") or details.get("subscription")


def invoice_paid(invoice: dict, at: datetime) -> str:
    """A renewal: the contract's period moves to the one this invoice paid for."""
    contract = _contract_for(_invoice_subscription(invoice))
    refused = _why_not_apply(contract, at)
    if refused:
        return refused
    lines = (invoice.get("lines") or {}).get("data") or []
    period = lines[0].get("period") if lines else None
    if period:
        contract.refreshed_date, contract.expiry_date = timestamp(period["start"]), timestamp(period["end"])
    else:
        contract.refreshed_date, contract.expiry_date = at, period_end(at, contract.plan.cadence)
    contract.stripe_event_created = at
    return "contract renewed"


def _plan_for_price(price: dict | None) -> Plan | None:
    if not price:
        return None
    found = db.session.scalars(select(Plan).where(Plan.stripe_price_id == price.get("id"))).first()
    if found is None and price.get("lookup_key"):
        found = db.session.scalars(select(Plan).where(Plan.lookup_key == price["lookup_key"])).first()
    return found


def subscription_updated(subscription: dict, at: datetime) -> str:
    """A plan change, a new period, or a cancellation that took effect."""
    contract = _contract_for(subscription.get("id"))
    refused = _why_not_apply(contract, at)
    if refused:
        return refused
    contract.stripe_event_created = at
    if subscription.get("status") in ENDED_SUBSCRIPTION_STATUSES:
        contract.status, contract.ended_at = "ended", timestamp(subscription.get("ended_at")) or at
        return "contract ended"
    # Cancelled in the portal to end with the paid period: still active, but it will not renew.
    contract.cancel_at_period_end = bool(subscription.get("cancel_at_period_end") or subscription.get("cancel_at"))
    items = (subscription.get("items") or {}).get("data") or [{}]
    plan = _plan_for_price(items[0].get("price"))
    if plan is not None:
        contract.plan_id, contract.plan_access_id = plan.plan_id, plan.plan_access_id
    start = items[0].get("current_period_start") or subscription.get("current_period_start")
    end = items[0].get("current_period_end") or subscription.get("current_period_end")
    if start and end:
        contract.refreshed_date, contract.expiry_date = timestamp(start), timestamp(end)
    return "contract updated"


def subscription_deleted(subscription: dict, at: datetime) -> str:
    """The subscription is over: its contract ends, and a checkout event arriving later cannot start it."""
    contract = _contract_for(subscription.get("id"))
    if contract is None:
        metadata = subscription.get("metadata") or {}
        customer = db.session.get(Customer, _digits(metadata.get("customer_id")) or 0)
        plan = db.session.get(Plan, _digits(metadata.get("plan_id")) or 0)
        if customer is None or plan is None:
            return "ignored: no contract for this subscription"
        # Recorded ended, so the late checkout.session.completed finds it and creates nothing.
        db.session.add(Contract(customer_id=customer.customer_id, plan_id=plan.plan_id,
                                plan_access_id=plan.plan_access_id, stripe_subscription_id=subscription["id"],
                                status="ended", ended_at=at, refreshed_date=at, expiry_date=at,
                                stripe_event_created=at))
        return "recorded as ended before its checkout arrived"
    if contract.status == "ended":
        return "ignored: the contract has ended"
    contract.status, contract.ended_at = "ended", timestamp(subscription.get("ended_at")) or at
    contract.stripe_event_created = max(at, contract.stripe_event_created or at)
    return "contract ended"


HANDLERS = {
    "checkout.session.completed": checkout_completed,
    "invoice.paid": invoice_paid,
    "customer.subscription.updated": subscription_updated,
    "customer.subscription.deleted": subscription_deleted,
}
