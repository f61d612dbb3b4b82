"""Checkout: start it, come back from it, cancel it; nothing is granted without a signed event."""
from __future__ import annotations

from sqlalchemy import func, select

from dashboard.billing.models import Contract
from dashboard.extensions import db
from tests import factories
from tests.billing.conftest import checkout, deliver, paid_checkout, refresh


def test_checkout_creates_the_stripe_customer_once_and_redirects_to_stripe(
        login_as, new_customer, plan, stripe_standin):
    client = login_as(new_customer)

    response = client.post(f"/billing/checkout/{plan.plan_id}")

    assert response.status_code == 303
    session_id = response.headers["Location"].rsplit("/", 1)[1]
    assert response.headers["Location"] == f"{stripe_standin.base_url}/checkout/{session_id}"
    stripe_customer_id = refresh(new_customer).stripe_customer_id
    assert stripe_customer_id.startswith("cus_")
    session = stripe_standin.objects[session_id]
    assert session["mode"] == "subscription" and session["customer"] == stripe_customer_id
    assert session["client_reference_id"] == str(new_customer.customer_id)
    assert session["metadata"] == {"plan_id": str(plan.plan_id)}
    assert session["line_items"]["data"][0]["price"]["id"] == plan.stripe_price_id
    assert session["success_url"].endswith("/billing/return?session_id={CHECKOUT_SESSION_ID}")

    checkout(client, plan)  # a second attempt reuses the Stripe customer
    created = [r for r in stripe_standin.requests if r[:2] == ("POST", "/v1/customers")]
    assert len(created) == 1


def test_paid_checkout_comes_back_to_an_active_contract(login_as, new_customer, plan, stripe_standin):
    client = login_as(new_customer)
    event = paid_checkout(client, stripe_standin, plan)
    session_id = event["data"]["object"]["id"]

    waiting = client.get(f"/billing/return?session_id={session_id}")
    page = waiting.get_data(as_text=True)
    assert "Payment received, activating your plan" in page
    assert 'hx-trigger="every 2s"' in page and "<html" in page

    assert deliver(client, event).get_json()["outcome"] == "contract created"

    poll = client.get(f"/billing/return?session_id={session_id}&attempt=1", headers={"HX-Request": "true"})
    fragment = poll.get_data(as_text=True)
    assert "Your Growth Monthly plan is active" in fragment
    assert "hx-trigger" not in fragment and "<html" not in fragment  # polling stops
    contract = db.session.scalars(Contract.owned_select(new_customer.customer_id)).one()
    assert (contract.status, contract.plan_id) == ("active", plan.plan_id)
    assert contract.stripe_subscription_id == event["data"]["object"]["subscription"]
    assert refresh(new_customer).onboarding_step == "agent"
    assert "Growth Monthly" in client.get("/billing/").get_data(as_text=True)


def test_polling_gives_up_after_a_minute_with_an_explanation(login_as, new_customer, plan, stripe_standin):
    client = login_as(new_customer)
    session_id = paid_checkout(client, stripe_standin, plan)["data"]["object"]["id"]

    fragment = client.get(f"/billing/return?session_id={session_id}&attempt=30",
                          headers={"HX-Request": "true"}).get_data(as_text=True)

    assert "taking longer than usual" in fragment and "hx-trigger" not in fragment


def test_a_new_contract_replaces_the_one_without_stripe(login_as, customer, plan, stripe_standin):
    client = login_as(customer)
    old = db.session.scalars(Contract.owned_select(customer.customer_id)).one()

    deliver(client, paid_checkout(client, stripe_standin, plan))

    assert refresh(old).status == "ended"
    statuses = db.session.scalars(select(Contract.status).where(Contract.customer_id == customer.customer_id))
    assert sorted(statuses) == ["active", "ended"]


def test_another_customers_session_grants_nothing(login_as, client, new_customer, other_customer, plan,
                                                   stripe_standin):
    theirs = paid_checkout(login_as(other_customer), stripe_standin, plan)
    client.post("/auth/logout")
    login_as(new_customer)

    page = client.get(f"/billing/return?session_id={theirs['data']['object']['id']}").get_data(as_text=True)

    assert "We could not find this checkout" in page and "hx-trigger" not in page
    assert db.session.scalar(select(func.count()).select_from(Contract)
                             .where(Contract.customer_id == new_customer.customer_id)) == 0


def test_forged_or_malformed_session_ids_grant_nothing(login_as, new_customer, plan, stripe_standin):
    client = login_as(new_customer)
    for session_id in ("cs_test_forged000000000000000000", "not-a-session", "", "cs_test_x/../../v1/customers"):
        response = client.get("/billing/return", query_string={"session_id": session_id})
        assert response.status_code == 200
        assert "We could not find this checkout" in response.get_data(as_text=True)
    # Only the well-formed forged id reached Stripe (and was not found there).
    assert [r[1] for r in stripe_standin.requests if r[1].startswith("/v1/checkout")] == [
        "/v1/checkout/sessions/cs_test_forged000000000000000000"]
    assert db.session.scalars(Contract.owned_select(new_customer.customer_id)).first() is None


def test_an_unpaid_session_says_nothing_was_charged(login_as, new_customer, plan):
    client = login_as(new_customer)
    session_id = checkout(client, plan)

    page = client.get(f"/billing/return?session_id={session_id}").get_data(as_text=True)

    assert "This checkout was not completed" in page


def test_cancelled_checkout_returns_to_the_plans_with_a_message(login_as, new_customer, plan, stripe_standin):
    client = login_as(new_customer)
    checkout(client, plan)
    cancel_url = next(iter(o for o in stripe_standin.objects.values()
                           if o["object"] == "checkout.session"))["cancel_url"]

    response = client.get(cancel_url, follow_redirects=True)

    assert response.request.path == "/billing/plans"
    assert "Checkout was cancelled and nothing was charged" in response.get_data(as_text=True)


def test_without_a_stripe_key_checkout_is_refused_with_a_message(make_app, new_customer, plan):
    unconfigured = make_app()  # no STRIPE_SECRET_KEY
    client = unconfigured.test_client()
    client.post("/auth/login", data={"email": new_customer.email, "password": factories.PASSWORD})

    page = client.get("/billing/plans").get_data(as_text=True)
    response = client.post(f"/billing/checkout/{plan.plan_id}", follow_redirects=True)

    assert "Checkout is not configured on this server" in page
    assert response.status_code == 200
    assert "Checkout is not configured on this server" in response.get_data(as_text=True)
    assert refresh(new_customer).stripe_customer_id is None


def test_plans_without_a_price_or_off_sale_are_refused(login_as, new_customer, db):
    client = login_as(new_customer)
    unsynced = factories.make_plan(name="Unsynced")
    retired = factories.make_plan(name="Retired")
    retired.is_active, retired.stripe_price_id = False, "price_old"
    db.session.commit()

    for plan, message in ((unsynced, "not available for checkout yet"), (retired, "no longer on sale")):
        response = client.post(f"/billing/checkout/{plan.plan_id}", follow_redirects=True)
        assert message in response.get_data(as_text=True)
    assert client.post("/billing/checkout/999999").status_code == 404


def test_a_stripe_subscriber_changes_plan_in_the_portal(login_as, new_customer, plan, stripe_standin):
    client = login_as(new_customer)
    deliver(client, paid_checkout(client, stripe_standin, plan))
    other = factories.make_plan(name="Scale Monthly")
    other.stripe_price_id = "price_x"
    db.session.commit()

    refused = client.post(f"/billing/checkout/{other.plan_id}", follow_redirects=True).get_data(as_text=True)
    portal = client.post("/billing/portal")

    assert "Change your plan in the Billing Portal" in refused
    assert portal.status_code == 303 and portal.headers["Location"].startswith(f"{stripe_standin.base_url}/billing_portal/")
    assert stripe_standin.requests[-1][2]["customer"] == refresh(new_customer).stripe_customer_id


def test_the_portal_needs_a_stripe_account(login_as, customer):
    response = login_as(customer).post("/billing/portal", follow_redirects=True)

    assert response.status_code == 200 and "choose a plan first" in response.get_data(as_text=True)


def test_when_stripe_does_not_answer_the_return_page_keeps_checking(login_as, new_customer, make_app, plan):
    stripe_down = make_app(STRIPE_SECRET_KEY="sk_test_standin", STRIPE_API_BASE="http://127.0.0.1:9")
    client = stripe_down.test_client()
    client.post("/auth/login", data={"email": new_customer.email, "password": factories.PASSWORD})

    page = client.get("/billing/return?session_id=cs_test_abc").get_data(as_text=True)

    assert "Checking your payment with Stripe" in page and 'hx-trigger="every 2s"' in page


def test_checkout_and_portal_posts_need_the_csrf_token(make_app, new_customer, plan):
    protected = make_app(WTF_CSRF_ENABLED=True)
    client = protected.test_client()
    login_page = client.get("/auth/login").get_data(as_text=True)
    token = login_page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post("/auth/login", data={"email": new_customer.email, "password": factories.PASSWORD,
                                     "csrf_token": token})

    for path in (f"/billing/checkout/{plan.plan_id}", "/billing/portal"):
        response = client.post(path)
        assert response.status_code == 400 and "CSRF" in response.get_data(as_text=True)
    assert refresh(new_customer).stripe_customer_id is None
