"""The billing domain's logic: the plan catalog, Checkout, its return, the portal, and usage against limits."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from dashboard.auth.models import Customer
from dashboard.billing import stripe_gateway
from dashboard.billing.entitlements import FEATURE_NAMES, LIMIT_NAMES, METERED, active_contract, seats_used, usage
from dashboard.billing.models import Contract, Plan, PlanAccess
from dashboard.database import utcnow
from dashboard.extensions import db

CADENCES = ("monthly", "yearly")
WARNING_SHARE = 0.8
# Summed over the contract period; file uploads and web sources are counts that do not reset.
PER_PERIOD = {"max_call_minutes", "max_text_messages"}


class CheckoutRefused(Exception):
    """Checkout cannot start; `message` says why, for people."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def active_plans(cadence: str) -> list[Plan]:
    """The plans on sale at this cadence, cheapest tier first, with their access (one query)."""
    return list(db.session.scalars(
        select(Plan).where(Plan.is_active.is_(True), Plan.cadence == cadence).order_by(Plan.tier, Plan.plan_id)))


def start_checkout(customer: Customer, plan: Plan, success_url: str, cancel_url: str) -> str:
    """The URL of a Stripe Checkout page for this plan; creates the Stripe customer on first use."""
    if not stripe_gateway.configured():
        raise CheckoutRefused("Checkout is not configured on this server yet, so plans cannot be bought here.")
    if not plan.is_active:
        raise CheckoutRefused("That plan is no longer on sale. Please pick another.")
    if not plan.stripe_price_id:
        raise CheckoutRefused("That plan is not available for checkout yet. Please try again later.")
    current = active_contract(customer.customer_id)
    if current is not None and current.stripe_subscription_id:
        raise CheckoutRefused("You already have a subscription. Change your plan in the Billing Portal.")
    try:
        if customer.stripe_customer_id is None:
            customer.stripe_customer_id = stripe_gateway.create_customer(customer.customer_id, customer.email,
                                                                         customer.name)
            db.session.commit()
        return stripe_gateway.create_checkout_session(
            stripe_customer_id=customer.stripe_customer_id, price_id=plan.stripe_price_id,
            customer_id=customer.customer_id, plan_id=plan.plan_id, success_url=success_url, cancel_url=cancel_url)
    except stripe_gateway.StripeFailure as failure:
        raise CheckoutRefused(failure.message) from None


@dataclass
class CheckoutReturn:
    state: str  # active | activating | unpaid | unknown | unreachable
    contract: Contract | None = None


def checkout_return(customer: Customer, session_id: str) -> CheckoutReturn:
    """Where the customer's checkout stands; another customer's or a made-up session is `unknown`."""
    if not stripe_gateway.configured():
        return CheckoutReturn("unknown")
    try:
        session = stripe_gateway.retrieve_checkout_session(session_id)
    except stripe_gateway.StripeFailure:
        return CheckoutReturn("unreachable")
    if session is None or session.get("client_reference_id") != str(customer.customer_id):
        return CheckoutReturn("unknown")
    if session.get("status") != "complete" or not session.get("subscription"):
        return CheckoutReturn("unpaid")
    contract = db.session.scalars(Contract.owned_select(customer.customer_id)
                                  .where(Contract.stripe_subscription_id == session["subscription"])).first()
    if contract is None:
        return CheckoutReturn("activating")
    if contract.status == "duplicate":
        # Paid twice (two tabs): this subscription was cancelled, and the plan the customer has is the first one.
        contract = active_contract(customer.customer_id)
    return CheckoutReturn("active" if contract is not None and contract.status == "active" else "unknown", contract)


def portal_url(customer: Customer, return_url: str) -> str:
    if customer.stripe_customer_id is None:
        raise stripe_gateway.StripeFailure("You have no Stripe billing account yet: choose a plan first.")
    return stripe_gateway.create_portal_session(customer.stripe_customer_id, return_url)


def projected_limit_date(used, allowed: int, period_start: datetime, period_end: datetime,
                         now: datetime) -> datetime | None:
    """When usage reaches `allowed` at this period's pace so far; None if not before the period ends (or reached)."""
    elapsed = (now - period_start).total_seconds()
    if used <= 0 or allowed <= 0 or used >= allowed or elapsed <= 0:
        return None
    # The limit is reached when the elapsed fraction of the period grows by allowed/used.
    reached = period_start + timedelta(seconds=elapsed * float(allowed) / float(used))
    return reached if reached < period_end else None


@dataclass
class Meter:
    limit: str
    name: str
    used: float
    allowed: int
    per_period: bool
    projected: datetime | None

    @property
    def percent(self) -> int:
        return 100 if self.allowed <= 0 else min(100, round(100 * float(self.used) / self.allowed))

    @property
    def level(self) -> str:
        if self.used >= self.allowed:
            return "danger"
        return "warn" if float(self.used) >= WARNING_SHARE * self.allowed else "ok"


@dataclass
class BillingOverview:
    contract: Contract | None
    meters: list[Meter]
    features: list[tuple[str, bool]]
    period: tuple[datetime, datetime] | None = None


def billing_overview(customer_id: int, now: datetime | None = None) -> BillingOverview:
    """The active contract, a meter per plan limit and the plan's features, in three queries."""
    now = now or utcnow()
    used = usage(customer_id)
    contract = used.contract
    if contract is None:
        return BillingOverview(None, [], [])
    access: PlanAccess = contract.access
    meters = []
    for limit in METERED:
        amount, allowed = used.used(limit), getattr(access, limit)
        projected = None
        if limit in PER_PERIOD and used.period is not None:
            projected = projected_limit_date(amount, allowed, *used.period, now)
        meters.append(Meter(limit, LIMIT_NAMES[limit], amount, allowed, limit in PER_PERIOD, projected))
    if access.max_members is not None:
        meters.append(Meter("max_members", "members", seats_used(customer_id), access.max_members, False, None))
    features = [(FEATURE_NAMES[flag], bool(getattr(access, flag))) for flag in FEATURE_NAMES]
    return BillingOverview(contract, meters, features, used.period)
