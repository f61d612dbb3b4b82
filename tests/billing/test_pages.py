"""The plans page (with its cadence switch) and the billing page: what they show, and a constant query count."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import timedelta

from sqlalchemy import event

from dashboard.billing.models import Contract
from dashboard.extensions import db
from tests import factories


@contextmanager
def counting_queries():
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def seed_catalog():
    for tier, name in enumerate(("Starter", "Growth", "Scale"), start=1):
        for cadence in ("monthly", "yearly"):
            plan = factories.make_plan(name=f"{name} {cadence.title()}", cadence=cadence,
                                       cost=str(49 * tier * (10 if cadence == "yearly" else 1)),
                                       call_recordings=tier == 3)
            plan.tier = tier
    db.session.commit()


def test_the_plans_page_lists_this_cadence_and_marks_the_current_plan(login_as, customer):
    seed_catalog()
    current = db.session.scalars(Contract.owned_select(customer.customer_id)).one()
    growth = db.session.scalars(db.select(factories.Plan).where(factories.Plan.name == "Growth Monthly")).one()
    current.plan_id, current.plan_access_id = growth.plan_id, growth.plan_access_id
    db.session.commit()
    client = login_as(customer)

    monthly = client.get("/billing/plans").get_data(as_text=True)
    yearly = client.get("/billing/plans?cadence=yearly").get_data(as_text=True)

    assert monthly.index("Starter Monthly") < monthly.index("Growth Monthly") < monthly.index("Scale Monthly")
    assert "Yearly</th>" not in monthly and "Starter Yearly" in yearly and "Starter Monthly" not in yearly
    assert monthly.count("Your plan</span>") == 1 and "Your current plan" in monthly
    assert "Your current plan" not in yearly
    for row in ("Call minutes", "Text messages", "File uploads", "Web sources", "Call recordings",
                "Follow-up emails", "Voice selection"):
        assert f'<th scope="row">{row}</th>' in monthly
    assert "$490<span>/year" in yearly


def test_the_cadence_switch_swaps_only_the_fragment_and_keeps_the_url(login_as, customer):
    seed_catalog()
    client = login_as(customer)

    page = client.get("/billing/plans").get_data(as_text=True)
    fragment = client.get("/billing/plans?cadence=yearly", headers={"HX-Request": "true"}).get_data(as_text=True)

    assert 'hx-get="/billing/plans?cadence=yearly"' in page and 'hx-push-url="true"' in page
    assert 'href="/billing/plans?cadence=yearly"' in page  # works without JavaScript too
    assert "<html" not in fragment
    assert 'id="plans"' in fragment and "Scale Yearly" in fragment


def test_an_unknown_cadence_is_a_400_not_a_500(login_as, customer):
    response = login_as(customer).get("/billing/plans?cadence=weekly")

    assert response.status_code == 400 and "Choose monthly or yearly" in response.get_data(as_text=True)


def test_the_billing_page_shows_plan_period_usage_and_what_is_missing(login_as, db):
    customer = factories.make_customer(with_contract=False)
    plan = factories.make_plan(name="Starter Monthly", cost="49.00", max_text_messages=100, send_emails=False)
    contract = factories.make_contract(customer, plan, days_left=20)
    agent = factories.make_agent(customer)
    for _ in range(21):
        factories.make_conversation(customer, agent, messages=4)  # 84 of 100 messages
    db.session.commit()

    page = login_as(customer).get("/billing/").get_data(as_text=True)

    assert "Starter Monthly" in page and "$49<span>/month" in page and "$49.00" not in page
    assert contract.expiry_date.strftime("%b %d, %Y") in page and "Ends on" in page
    assert '<div class="meter meter-warn">' in page and "84 of 100" in page and "84% used" in page
    assert "At this pace you reach the limit on" in page
    assert "Follow-up emails: not included" in page and 'href="/billing/plans">Upgrade</a>' in page
    assert "This plan was not bought through Stripe" in page  # the portal button says why it is disabled


def test_without_a_plan_the_billing_page_offers_the_plans(login_as):
    customer = factories.make_customer(with_contract=False)
    db.session.commit()

    page = login_as(customer).get("/billing/").get_data(as_text=True)

    assert "No active plan" in page and 'href="/billing/plans"' in page


def test_plans_and_billing_pages_use_a_constant_number_of_queries(login_as, customer):
    client = login_as(customer)
    agent = factories.make_agent(customer)

    def measure(path):
        with counting_queries() as statements:
            assert client.get(path).status_code == 200
        return len(statements)

    seed_catalog()
    factories.make_conversation(customer, agent)
    factories.make_knowledge_source(agent)
    db.session.commit()
    few = {path: measure(path) for path in ("/billing/plans", "/billing/")}
    for n in range(12):
        factories.make_plan(name=f"Extra {n}")
        factories.make_conversation(customer, agent, created_at=factories.utcnow() - timedelta(minutes=n))
        factories.make_knowledge_source(agent, url=f"https://www.example.com/{n}")
    db.session.commit()
    many = {path: measure(path) for path in ("/billing/plans", "/billing/")}

    assert many == few, (few, many)
    print("queries per page:", few)
    assert few["/billing/"] <= 8 and few["/billing/plans"] <= 8
