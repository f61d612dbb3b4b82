"""Onboarding: business profile → plan → first agent → done, resumed where the customer left off."""
from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import func, select

from dashboard.agents.models import Agent
from dashboard.auth.models import Customer
from dashboard.extensions import db
from tests import factories

PROFILE = {"name": "Bright Smiles", "email": "hello@brightsmiles.example", "phone": "+1 (415) 555-2671"}


@pytest.fixture
def signing_up(client):
    """A browser back from a first Cognito sign-in (the callback itself is tested against the provider)."""
    with client.session_transaction() as session:
        session["pending_sign_up"] = {"sub": "sub-123", "email": "owner@brightsmiles.example", "phone": None,
                                      "username": "owner", "id_token": "header.claims.signature",
                                      "started": time.time()}
    return client


def _customers() -> int:
    return db.session.scalar(select(func.count()).select_from(Customer))


def test_the_profile_is_prefilled_with_the_verified_email(signing_up):
    html = signing_up.get("/onboarding/profile").get_data(as_text=True)
    assert 'value="owner@brightsmiles.example"' in html and "Signed in as <strong>owner</strong>" in html


def test_saving_the_profile_creates_the_business_and_signs_it_in(signing_up):
    response = signing_up.post("/onboarding/profile", data=PROFILE)
    assert response.headers["Location"] == "/onboarding/plan"
    customer = db.session.scalars(select(Customer)).one()
    assert (customer.name, customer.email, customer.phone) == ("Bright Smiles", "hello@brightsmiles.example",
                                                               "+14155552671")
    assert (customer.cognito_id, customer.onboarding_step, customer.password_hash) == ("sub-123", "plan", None)
    assert signing_up.get("/onboarding/plan").status_code == 200


@pytest.mark.parametrize(("field", "value", "message"), [
    ("name", "ACME dental", "Another business already uses this name."),
    ("email", "FRONT@acme.example", "Another business already uses this email."),
    ("phone", "555-0100", "Enter the number with its country code"),
    ("phone", "+1 555 0100", "not a valid phone number"),
    ("phone", "call me maybe", "Enter the number with its country code"),
    ("email", "not-an-email", "Enter an email address like name@example.com."),
    ("name", "", "Fill in “"),
])
def test_profile_errors_are_shown_next_to_the_field_and_nothing_is_written(signing_up, field, value, message):
    factories.make_customer(name="Acme Dental", email="front@acme.example")
    response = signing_up.post("/onboarding/profile", data={**PROFILE, field: value})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert _customers() == 1


def test_a_stale_sign_up_must_sign_in_again(client):
    with client.session_transaction() as session:
        session["pending_sign_up"] = {"sub": "s", "email": None, "phone": None, "username": "u", "id_token": "t",
                                      "started": time.time() - 3 * 3600}
    assert client.get("/onboarding/profile").headers["Location"] == "/auth/login"


def test_the_sign_in_page_sends_a_pending_sign_up_back_to_its_profile(signing_up):
    assert signing_up.get("/auth/login").headers["Location"] == "/onboarding/profile"


def test_signing_out_abandons_a_pending_sign_up(signing_up):
    signing_up.post("/auth/logout")
    assert signing_up.get("/onboarding/profile").headers["Location"] == "/auth/login"


def test_a_customer_at_the_profile_step_completes_it(login_as):
    customer = factories.make_customer(onboarding_step="profile")
    client = login_as(customer)
    assert client.get("/").headers["Location"] == "/onboarding/profile"
    assert client.post("/onboarding/profile", data=PROFILE).headers["Location"] == "/onboarding/plan"
    assert (customer.name, customer.onboarding_step) == ("Bright Smiles", "plan")


@pytest.mark.parametrize("path", ["/", "/agents/", "/settings/", "/conversations/"])
def test_unfinished_onboarding_sends_every_page_back_to_the_step(login_as, path):
    client = login_as(factories.make_customer(onboarding_step="plan", with_contract=False))
    assert client.get(path).headers["Location"] == "/onboarding/plan"
    htmx = client.get(path, headers={"HX-Request": "true"})
    assert htmx.headers["HX-Redirect"] == "/onboarding/plan"


def test_billing_and_sign_out_stay_reachable_during_onboarding(login_as):
    client = login_as(factories.make_customer(onboarding_step="plan", with_contract=False))
    assert client.get("/billing/").status_code == 200
    assert client.post("/auth/logout").headers["Location"] == "/auth/login"


def test_the_plan_step_links_to_the_plans_and_can_be_put_off(app, login_as):
    client = login_as(factories.make_customer(onboarding_step="plan", with_contract=False))
    html = client.get("/onboarding/plan").get_data(as_text=True)
    if "billing.plans" in app.view_functions:
        assert 'href="/billing/plans"' in html
    assert "I&#39;ll choose later" in html or "I'll choose later" in html
    assert client.post("/onboarding/plan/later").headers["Location"] == "/"
    assert client.get("/agents/").status_code == 200


def test_a_put_off_plan_is_asked_again_at_the_next_sign_in(make_app, db):
    customer = factories.make_customer(onboarding_step="plan", with_contract=False)
    db.session.commit()
    client = make_app().test_client()
    client.post("/auth/login", data={"email": customer.email, "password": factories.PASSWORD})
    client.post("/onboarding/plan/later")
    client.post("/auth/logout")
    response = client.post("/auth/login", data={"email": customer.email, "password": factories.PASSWORD})
    assert response.headers["Location"] == "/onboarding/plan"
    assert client.get("/").headers["Location"] == "/onboarding/plan"


def test_once_a_contract_exists_the_plan_step_moves_on(login_as):
    customer = factories.make_customer(onboarding_step="plan")  # with an active contract
    client = login_as(customer)
    assert client.get("/onboarding/plan").headers["Location"] == "/onboarding/agent"
    assert customer.onboarding_step == "agent"


def test_the_first_agent_needs_a_plan_and_says_so(login_as):
    customer = factories.make_customer(onboarding_step="agent", with_contract=False)
    client = login_as(customer)
    page = client.get("/onboarding/agent").get_data(as_text=True)
    assert "You need an active plan" in page and re.search(r"<button[^>]*disabled[^>]*>Create agent", page)
    response = client.post("/onboarding/agent", data={"name": "Front desk"})
    assert response.status_code == 403 and "You need an active plan" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Agent)) == 0
    assert customer.onboarding_step == "agent"


def test_the_first_agent_gets_the_default_prompt_and_onboarding_ends(login_as):
    prompt = factories.make_prompt(name="General assistant", is_default=True)
    customer = factories.make_customer(onboarding_step="agent")
    client = login_as(customer)
    assert client.post("/onboarding/agent", data={"name": ""}).status_code == 422
    response = client.post("/onboarding/agent", data={"name": "Front desk"})
    assert response.headers["Location"] == "/"
    agent = db.session.scalars(select(Agent)).one()
    assert (agent.customer_id, agent.name, agent.prompt_id) == (customer.customer_id, "Front desk", prompt.prompt_id)
    assert customer.onboarding_step == "done"
    assert "Your agent Front desk is ready" in client.get("/").get_data(as_text=True)


def test_finished_customers_are_not_sent_back_into_onboarding(login_as, customer):
    client = login_as(customer)
    for step in ("profile", "plan", "agent"):
        assert client.get(f"/onboarding/{step}").headers["Location"] == "/"


def test_a_customer_cannot_skip_ahead(login_as):
    client = login_as(factories.make_customer(onboarding_step="plan"))
    assert client.post("/onboarding/agent", data={"name": "Sneaky"}).headers["Location"] == "/onboarding/plan"
    assert db.session.scalar(select(func.count()).select_from(Agent)) == 0
