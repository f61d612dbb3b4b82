"""`flask billing sync-stripe`: one Product and Price per plan, found again by lookup key, never duplicated."""
from __future__ import annotations

from decimal import Decimal

from dashboard.billing.catalog_sync import sync_plans_to_stripe
from dashboard.billing.models import Plan
from dashboard.extensions import db
from tests import factories


def test_each_plan_gets_a_product_and_a_price_with_its_lookup_key(app, db, stripe_standin):
    monthly = factories.make_plan(name="Starter Monthly", cost="49.00")
    yearly = factories.make_plan(name="Starter Yearly", cadence="yearly", cost="490.00")
    db.session.commit()

    result = app.test_cli_runner().invoke(args=["billing", "sync-stripe"])

    assert result.exit_code == 0, result.output
    assert "2 plan(s) changed" in result.output
    for plan, interval, cents in ((monthly, "month", 4900), (yearly, "year", 49000)):
        price = stripe_standin.objects[db.session.get(Plan, plan.plan_id).stripe_price_id]
        assert (price["lookup_key"], price["unit_amount"], price["currency"]) == (plan.lookup_key, cents, "usd")
        assert price["recurring"]["interval"] == interval and price["active"] is True
        product = stripe_standin.objects[price["product"]]
        assert product["name"] == plan.name and product["metadata"] == {"plan_id": str(plan.plan_id)}


def test_a_second_run_changes_nothing(app, db, stripe_standin):
    factories.make_plan(name="Growth Monthly")
    db.session.commit()
    sync_plans_to_stripe(echo=lambda line: None)
    first_run = len(stripe_standin.requests)

    changed = sync_plans_to_stripe(echo=lambda line: None)

    second_run = stripe_standin.requests[first_run:]
    assert changed == 0 and second_run and all(method == "GET" for method, _, _ in second_run)


def test_a_new_cost_moves_the_lookup_key_to_a_new_price_and_retires_the_old(app, db, stripe_standin):
    plan = factories.make_plan(name="Scale Monthly", cost="399.00")
    db.session.commit()
    sync_plans_to_stripe(echo=lambda line: None)
    old_price = plan.stripe_price_id
    plan.cost_usd, plan.name = Decimal("449.00"), "Scale Monthly (2027)"
    db.session.commit()

    assert sync_plans_to_stripe(echo=lambda line: None) == 1

    new_price = stripe_standin.objects[plan.stripe_price_id]
    assert new_price["id"] != old_price and new_price["unit_amount"] == 44900
    assert new_price["lookup_key"] == plan.lookup_key
    assert stripe_standin.objects[old_price]["lookup_key"] is None
    assert stripe_standin.objects[old_price]["active"] is False
    assert stripe_standin.objects[new_price["product"]]["name"] == "Scale Monthly (2027)"


def test_an_off_sale_plan_keeps_its_price_but_its_product_is_inactive(app, db, stripe_standin):
    plan = factories.make_plan(name="Legacy")
    db.session.commit()
    sync_plans_to_stripe(echo=lambda line: None)
    plan.is_active = False
    db.session.commit()

    sync_plans_to_stripe(echo=lambda line: None)

    assert stripe_standin.objects[f"angelcx_plan_{plan.plan_id}"]["active"] is False


def test_sync_without_a_stripe_key_explains_itself(make_app):
    result = make_app().test_cli_runner().invoke(args=["billing", "sync-stripe"])

    assert result.exit_code != 0 and "STRIPE_SECRET_KEY is not set" in result.output


def test_a_wrong_key_is_a_clear_error_not_a_traceback(make_app, stripe_standin):
    factories_app = make_app(STRIPE_SECRET_KEY="sk_test_wrong", STRIPE_API_BASE=stripe_standin.base_url)
    with factories_app.app_context():
        factories.make_plan(name="Any")
        db.session.commit()

    result = factories_app.test_cli_runner().invoke(args=["billing", "sync-stripe"])

    assert result.exit_code != 0 and "Stripe could not read a product" in result.output
