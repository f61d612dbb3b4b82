"""Plan limits in one place: what the customer's active contract grants, asked by every gated feature."""
from __future__ import annotations

from flask import abort
from sqlalchemy import or_, select

from dashboard.billing.models import Contract, PlanAccess
from dashboard.database import utcnow
from dashboard.extensions import db


def active_contract(customer_id: int) -> Contract | None:
    """The customer's current contract: active and not past its expiry date."""
    return db.session.scalars(
        select(Contract)
        .where(Contract.customer_id == customer_id, Contract.status == "active",
               or_(Contract.expiry_date.is_(None), Contract.expiry_date > utcnow()))
        .order_by(Contract.refreshed_date.desc().nulls_last(), Contract.contract_id.desc())
    ).first()


def entitlements(customer_id: int) -> PlanAccess | None:
    """The plan access the customer has now, or None without an active contract."""
    contract = active_contract(customer_id)
    return contract.access if contract else None


class NotEntitled(Exception):
    """The customer's plan does not include this; `message` says so and how to upgrade."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def require(customer_id: int, flag: str | None = None) -> PlanAccess:
    """The plan access, or NotEntitled when there is no active plan or it lacks `flag`."""
    access = entitlements(customer_id)
    if access is None:
        raise NotEntitled("You need an active plan for this. Choose a plan on the Billing page.")
    if flag is not None and not getattr(access, flag):
        raise NotEntitled(f"Your plan does not include {FEATURE_NAMES.get(flag, flag)}. Upgrade on the Billing page.")
    return access


def require_or_403(customer_id: int, flag: str | None = None) -> PlanAccess:
    try:
        return require(customer_id, flag)
    except NotEntitled as refused:
        abort(403, refused.message)


FEATURE_NAMES = {
    "customize_bot_color": "a custom widget colour",
    "customize_bot_avatar": "a custom avatar",
    "customize_bot_voice": "voice selection",
    "customize_bot_name": "a custom bot name",
    "send_emails": "follow-up emails",
    "call_recordings": "call recordings",
}
