"""Usage against plan limits: meters, the 80% warning, the projected date, and the gates in entitlements."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from dashboard.billing.contracts import period_end
from dashboard.billing.entitlements import NotEntitled, require, require_quota, usage
from dashboard.billing.operations import Meter, billing_overview, projected_limit_date
from tests import factories

START = datetime(2026, 11, 1, tzinfo=UTC)
END = datetime(2026, 12, 1, tzinfo=UTC)


def test_projection_extends_the_pace_so_far():
    # 300 of 1,000 used in the first 6 days: 50 a day, so the limit falls on day 20.
    assert projected_limit_date(300, 1000, START, END, START + timedelta(days=6)) == START + timedelta(days=20)


def test_no_projection_when_the_pace_stays_within_the_period():
    assert projected_limit_date(100, 1000, START, END, START + timedelta(days=6)) is None


@pytest.mark.parametrize("used, allowed, days", [(0, 1000, 6), (1000, 1000, 6), (1200, 1000, 6), (5, 0, 6),
                                                 (5, 100, 0)])
def test_no_projection_without_usage_elapsed_time_or_headroom(used, allowed, days):
    assert projected_limit_date(used, allowed, START, END, START + timedelta(days=days)) is None


def test_projection_accepts_decimal_minutes():
    at = projected_limit_date(Decimal("250.50"), 1000, START, END, START + timedelta(days=5))
    assert START + timedelta(days=19) < at < START + timedelta(days=20)


@pytest.mark.parametrize("used, level, percent", [(0, "ok", 0), (79, "ok", 79), (80, "warn", 80),
                                                  (99, "warn", 99), (100, "danger", 100), (130, "danger", 100)])
def test_meters_warn_from_80_percent(used, level, percent):
    meter = Meter("max_web_sources", "web sources", used, 100, False, None)
    assert (meter.level, meter.percent) == (level, percent)


def test_periods_follow_the_calendar():
    assert period_end(datetime(2026, 1, 31, tzinfo=UTC), "monthly") == datetime(2026, 2, 28, tzinfo=UTC)
    assert period_end(datetime(2026, 12, 15, tzinfo=UTC), "monthly") == datetime(2027, 1, 15, tzinfo=UTC)
    assert period_end(datetime(2028, 2, 29, tzinfo=UTC), "yearly") == datetime(2029, 2, 28, tzinfo=UTC)


def test_the_overview_sums_this_period_only_and_projects(db):
    customer = factories.make_customer(with_contract=False)
    plan = factories.make_plan(max_call_minutes=100, max_text_messages=1000, max_web_sources=2, send_emails=False)
    contract = factories.make_contract(customer, plan, days_left=20)  # 10 of 30 days gone
    agent = factories.make_agent(customer)
    factories.make_conversation(customer, agent, channel="voice",
                                created_at=contract.refreshed_date - timedelta(days=1))  # last period
    for _ in range(9):
        factories.make_conversation(customer, agent, channel="voice")  # 45 minutes this period
    factories.make_knowledge_source(agent)
    factories.make_knowledge_source(agent, url="https://www.example.com/about")

    overview = billing_overview(customer.customer_id)

    meters = {meter.limit: meter for meter in overview.meters}
    assert meters["max_call_minutes"].used == 45 and meters["max_call_minutes"].level == "ok"
    # 45 minutes in 10 days: 100 minutes after about 22 days, inside the 30-day period.
    projected = meters["max_call_minutes"].projected
    assert contract.refreshed_date + timedelta(days=22) < projected < contract.refreshed_date + timedelta(days=23)
    assert meters["max_web_sources"].level == "danger" and meters["max_web_sources"].projected is None
    assert ("follow-up emails", False) in overview.features and ("call recordings", True) in overview.features


def test_no_contract_means_no_plan_and_no_metered_work(db):
    customer = factories.make_customer(with_contract=False)

    assert billing_overview(customer.customer_id).contract is None
    with pytest.raises(NotEntitled, match="You need an active plan"):
        require(customer.customer_id)
    with pytest.raises(NotEntitled):
        require_quota(customer.customer_id, "max_text_messages")


def test_an_ended_or_expired_contract_grants_nothing(db):
    customer = factories.make_customer(with_contract=False)
    contract = factories.make_contract(customer, days_left=5)
    contract.status = "ended"
    expired = factories.make_contract(customer, days_left=-1)
    db.session.flush()

    assert usage(customer.customer_id).contract is None and expired.status == "active"
    with pytest.raises(NotEntitled):
        require(customer.customer_id)


def test_quota_refuses_what_would_pass_the_limit(db):
    customer = factories.make_customer(with_contract=False)
    factories.make_contract(customer, factories.make_plan(max_web_sources=1, call_recordings=False))
    agent = factories.make_agent(customer)

    require_quota(customer.customer_id, "max_web_sources")  # 0 + 1 <= 1
    factories.make_knowledge_source(agent)
    with pytest.raises(NotEntitled, match="limit of 1 web sources"):
        require_quota(customer.customer_id, "max_web_sources")
    with pytest.raises(NotEntitled, match="call recordings"):
        require(customer.customer_id, "call_recordings")
