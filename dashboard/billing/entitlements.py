"""Plan limits in one place: what the customer's active contract grants, asked by every gated feature."""
from __future__ import annotations

from calendar import monthrange
from datetime import datetime

from flask import abort, current_app
from sqlalchemy import func, or_, select

from dashboard.auth.models import Invitation, Member
from dashboard.billing.models import Contract, PlanAccess
from dashboard.database import utcnow
from dashboard.extensions import db
from dashboard.signals import collect, measure_usage


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
    "connect_apps": "connecting third-party apps",
}


def _add_months(moment: datetime, months: int) -> datetime:
    """`moment` moved by whole calendar months, clamped to the last day of a shorter month."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, monthrange(year, month)[1]))


def usage_period(contract: Contract | None, now: datetime | None = None) -> tuple[datetime, datetime] | None:
    """The monthly window of the contract that `now` falls in.

    Limits are monthly on monthly and yearly plans alike (a yearly plan is twelve months of the
    same allowance, not one month's allowance spread over a year), so both reset every month
    from the day the contract was last renewed.
    """
    if contract is None or contract.refreshed_date is None:
        return None
    now = now or utcnow()
    start = contract.refreshed_date
    months = max(0, (now.year - start.year) * 12 + now.month - start.month)
    if months and _add_months(start, months) > now:
        months -= 1
    end = _add_months(start, months + 1)
    if contract.expiry_date is not None:
        end = min(end, contract.expiry_date)
    return _add_months(start, months), end


class Usage:
    """What the customer used in the current monthly period, against each metered limit."""

    def __init__(self, contract: Contract | None, call_minutes, text_messages: int, file_uploads: int,
                 web_sources: int, period: tuple[datetime, datetime] | None = None):
        self.contract = contract
        self.period = period
        self.call_minutes = call_minutes
        self.text_messages = text_messages
        self.file_uploads = file_uploads
        self.web_sources = web_sources

    def used(self, limit: str):
        return {"max_call_minutes": self.call_minutes, "max_text_messages": self.text_messages,
                "max_file_uploads": self.file_uploads, "max_web_sources": self.web_sources}[limit]


METERED = ("max_call_minutes", "max_text_messages", "max_file_uploads", "max_web_sources")


def usage(customer_id: int) -> Usage:
    """What the customer used this period, as the domains that keep it measure it (one SQL aggregate each).

    Billing does not read other domains' tables: it asks them through the `measure_usage` signal.
    """
    contract = active_contract(customer_id)
    window = usage_period(contract)
    used = dict.fromkeys(METERED, 0)
    for measured in collect(measure_usage, current_app._get_current_object(), customer_id=customer_id,
                            since=window[0] if window else None):
        for limit, amount in measured.items():
            used[limit] += amount
    return Usage(contract, used["max_call_minutes"], int(used["max_text_messages"]), used["max_file_uploads"],
                 used["max_web_sources"], window)


def require_quota(customer_id: int, limit: str, adding=1) -> PlanAccess:
    """The plan access, or NotEntitled when adding `adding` would pass the plan's `limit`."""
    access = require(customer_id)
    if usage(customer_id).used(limit) + adding > getattr(access, limit):
        raise NotEntitled(f"This would pass your plan's limit of {getattr(access, limit):,} "
                          f"{LIMIT_NAMES[limit]}. Upgrade on the Billing page.")
    return access


LIMIT_NAMES = {
    "max_call_minutes": "call minutes",
    "max_text_messages": "text messages",
    "max_file_uploads": "file uploads",
    "max_web_sources": "web sources",
}


def seats_used(customer_id: int) -> int:
    """Members plus invitations still open (not accepted, revoked or expired): what `max_members` caps."""
    members = db.session.scalar(select(func.count()).select_from(Member).where(Member.customer_id == customer_id))
    pending = db.session.scalar(select(func.count()).select_from(Invitation).where(
        Invitation.customer_id == customer_id, Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None),
        Invitation.expires_at > utcnow()))
    return members + pending


def require_seat(customer_id: int) -> None:
    """NotEntitled when the plan caps seats and every one is taken."""
    access = require(customer_id)
    if access.max_members is not None and seats_used(customer_id) + 1 > access.max_members:
        raise NotEntitled(f"Your plan includes {access.max_members:,} members, and every seat is taken "
                          "(pending invitations count). Upgrade on the Billing page or remove someone.")
