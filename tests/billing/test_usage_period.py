"""Limits reset every month, on monthly and yearly plans alike."""
from datetime import UTC, datetime, timedelta

from dashboard.billing.entitlements import usage, usage_period
from dashboard.extensions import db
from dashboard.models import Contract
from tests import factories


def contract(refreshed: datetime, expiry: datetime) -> Contract:
    return Contract(refreshed_date=refreshed, expiry_date=expiry)


def at(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_a_yearly_contract_is_counted_in_monthly_windows():
    yearly = contract(at(2026, 1, 31, 9), at(2027, 1, 31, 9))
    assert usage_period(yearly, at(2026, 1, 31, 10)) == (at(2026, 1, 31, 9), at(2026, 2, 28, 9))
    assert usage_period(yearly, at(2026, 3, 15)) == (at(2026, 2, 28, 9), at(2026, 3, 31, 9))
    assert usage_period(yearly, at(2026, 3, 31, 8)) == (at(2026, 2, 28, 9), at(2026, 3, 31, 9))
    assert usage_period(yearly, at(2027, 1, 2)) == (at(2026, 12, 31, 9), at(2027, 1, 31, 9))


def test_a_monthly_contract_is_one_window_ending_at_expiry():
    monthly = contract(at(2026, 11, 3), at(2026, 12, 3))
    assert usage_period(monthly, at(2026, 11, 20)) == (at(2026, 11, 3), at(2026, 12, 3))
    assert usage_period(None) is None


def test_last_months_minutes_do_not_count_against_this_month(app):
    customer = factories.make_customer(with_contract=False)
    plan = factories.make_plan(cadence="yearly")
    now = datetime.now(UTC)
    db.session.add(Contract(customer_id=customer.customer_id, plan_id=plan.plan_id,
                            plan_access_id=plan.plan_access_id, refreshed_date=now - timedelta(days=75),
                            expiry_date=now + timedelta(days=290), status="active"))
    factories.make_conversation(customer, channel="voice", created_at=now - timedelta(days=50))
    factories.make_conversation(customer, channel="voice", created_at=now - timedelta(hours=2))
    db.session.commit()
    used = usage(customer.customer_id)
    assert used.call_minutes == 5  # only this month's call
    assert used.period[0] <= now - timedelta(hours=2) < used.period[1]
