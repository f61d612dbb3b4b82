"""One money and number format everywhere (dashboard/templating.py): "$149/month", "$3,500", "$149.50", "3,500"."""
from __future__ import annotations

import re
from decimal import Decimal

import pytest

from dashboard.templating import money, number
from tests import factories


@pytest.mark.parametrize(("value", "shown"), [
    (Decimal("149.00"), "$149"), (149, "$149"), (Decimal("3500"), "$3,500"), (3500.0, "$3,500"),
    (Decimal("149.5"), "$149.50"), (Decimal("1234567.891"), "$1,234,567.89"), ("3500", "$3,500"),
    ("1,200.00", "$1,200"), (Decimal("-20"), "−$20"), (Decimal("0.004"), "$0"), (None, "—"), ("", "—"),
    ("call us", "call us"),
])
def test_money_drops_cents_only_when_there_are_none_and_always_separates_thousands(value, shown):
    assert money(value) == shown


def test_money_per_period():
    assert money(Decimal("149.00"), "month") == "$149/month"
    assert money(Decimal("1490.50"), "year") == "$1,490.50/year"


@pytest.mark.parametrize(("value", "places", "shown"), [
    (3500, 1, "3,500"), (3500.0, 1, "3,500"), (12.25, 1, "12.3"), (12.5, 0, "13"), (1234.5678, 2, "1,234.57"),
    (0, 1, "0"), (None, 1, "—"), (1000000, 1, "1,000,000"), ("n/a", 1, "n/a"),
])
def test_number_separates_thousands_and_drops_a_zero_fraction(value, places, shown):
    assert number(value, places) == shown


# "$149.00" (cents on a whole amount) or "$3500" (no separator) are the two forms the pages must not show.
INCONSISTENT = re.compile(r"\$[\d,]+\.00\b|\$\d{4,}")


def test_billing_plans_and_services_show_one_format(login_as, db):
    customer = factories.make_customer(with_contract=False)
    plan = factories.make_plan(name="Scale Monthly", cost="3500.00")
    factories.make_plan(name="Growth Monthly", cost="149.00")
    factories.make_contract(customer, plan)
    factories.make_service(customer).details = {"price": 3500, "duration": 60}
    db.session.commit()
    client = login_as(customer)

    billing = client.get("/billing/").get_data(as_text=True)
    plans = client.get("/billing/plans").get_data(as_text=True)
    services = client.get("/leads/services/").get_data(as_text=True)

    assert "$3,500<span>/month" in billing and "$3,500<span>/month" in plans and "$149<span>/month" in plans
    assert "$3,500" in services
    for page in (billing, plans, services):
        assert INCONSISTENT.findall(page) == []
