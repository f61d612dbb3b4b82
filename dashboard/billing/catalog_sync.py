"""Keep Stripe's catalog in step with our plans: one Product and one Price (found by lookup_key) per plan."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from dashboard.billing import stripe_gateway
from dashboard.billing.models import Plan
from dashboard.extensions import db

INTERVALS = {"monthly": "month", "yearly": "year"}


def product_id(plan: Plan) -> str:
    # A stable id of our choosing, so a second run finds the product instead of creating another.
    return f"angelcx_plan_{plan.plan_id}"


def _cents(amount: Decimal) -> int:
    return int((amount * 100).to_integral_value())


def _product_fields(plan: Plan) -> dict:
    return {"name": plan.name, "description": plan.description or plan.name, "active": plan.is_active,
            "metadata": {"plan_id": str(plan.plan_id)}}


def _price_matches(price: dict, plan: Plan) -> bool:
    recurring = price.get("recurring") or {}
    return (price["product"] == product_id(plan) and price["unit_amount"] == _cents(plan.cost_usd)
            and price["currency"] == "usd" and recurring.get("interval") == INTERVALS[plan.cadence]
            and recurring.get("interval_count", 1) == 1)


def _sync_product(plan: Plan) -> bool:
    """Create or update the plan's product; whether anything changed."""
    wanted = _product_fields(plan)
    found = stripe_gateway.retrieve_product(product_id(plan))
    if found is not None and all(found.get(k) == v for k, v in wanted.items() if k != "metadata") \
            and (found.get("metadata") or {}).get("plan_id") == wanted["metadata"]["plan_id"]:
        return False
    stripe_gateway.save_product(product_id(plan), wanted, exists=found is not None)
    return True


def _sync_price(plan: Plan) -> bool:
    """Make the price holding the plan's lookup_key match its cost and cadence; whether anything changed."""
    price = stripe_gateway.price_with_lookup_key(plan.lookup_key)
    if price is not None and price["active"] and _price_matches(price, plan):
        changed = plan.stripe_price_id != price["id"]
        plan.stripe_price_id = price["id"]
        return changed
    # Stripe prices are immutable in amount and interval: a new price takes over the lookup key.
    created = stripe_gateway.create_price({
        "product": product_id(plan), "unit_amount": _cents(plan.cost_usd), "currency": "usd",
        "recurring": {"interval": INTERVALS[plan.cadence]}, "lookup_key": plan.lookup_key,
        "metadata": {"plan_id": str(plan.plan_id)},
    })
    if price is not None and price["active"]:
        stripe_gateway.deactivate_price(price["id"])
    plan.stripe_price_id = created["id"]
    return True


def sync_plans_to_stripe(echo=print) -> int:
    """Create or update each plan's Product and Price; returns how many plans changed. Safe to run repeatedly."""
    changed = 0
    for plan in db.session.scalars(select(Plan).order_by(Plan.plan_id)):
        plan.lookup_key = plan.lookup_key or f"plan_{plan.plan_id}_{plan.cadence}"
        product_changed = _sync_product(plan)
        price_changed = _sync_price(plan)
        db.session.commit()  # each plan's price id is kept even if a later plan fails
        changed += product_changed or price_changed
        echo(f"{plan.name}: {'updated' if product_changed or price_changed else 'unchanged'} "
             f"(price {plan.stripe_price_id}, lookup key {plan.lookup_key})")
    return changed
