"""In the browser: a new business signs in with Cognito (the oidc-provider stand-in), onboards, makes an API key, signs out."""
from __future__ import annotations

import secrets
import threading

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from dashboard.auth.models import Customer
from tests import factories
from tests.standins.oidc_provider import NPM_INSTALL_HINT, free_port, node_modules_ready, start_oidc_provider

CLIENT_ID = "dashboard-e2e"
CLIENT_SECRET = secrets.token_hex(16)


@pytest.fixture
def cognito_site(make_app, db):
    """The app on a port chosen first, so the provider can be told its callback before either starts."""
    if not node_modules_ready():
        pytest.skip(f"the Cognito stand-in's npm packages are missing: run `{NPM_INSTALL_HINT}`")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    provider = start_oidc_provider(CLIENT_ID, CLIENT_SECRET, [f"{base}/auth/callback"], [f"{base}/auth/signed-out"])
    app = make_app(COGNITO_ISSUER=provider.issuer, COGNITO_CLIENT_ID=CLIENT_ID, COGNITO_CLIENT_SECRET=CLIENT_SECRET)
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield base, provider.issuer
    server.shutdown()
    thread.join(timeout=5)
    provider.stop()


def log_in_at_provider(page, issuer: str, login: str) -> None:
    """The provider's dev login form, then its consent form."""
    page.wait_for_url(f"{issuer}/**")
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", "any-password")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    if page.url.startswith(issuer):  # consent
        page.click("button[type=submit]")


def test_a_new_business_signs_in_with_cognito_onboards_and_signs_out(page, cognito_site, db, screenshot):
    base, issuer = cognito_site
    factories.make_prompt(name="General assistant")
    plan = factories.make_plan(name="Starter")
    db.session.commit()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))

    page.goto(f"{base}/auth/login")
    assert page.locator("text=Sign in with AWS Cognito").is_visible()
    assert page.locator("input[name=password]").is_visible()
    screenshot(page, "auth-login")
    page.click("text=Sign in with AWS Cognito")
    log_in_at_provider(page, issuer, "owner@brightsmiles.example")

    # Step 1: the business profile, with the verified email already filled in.
    page.wait_for_url(f"{base}/onboarding/profile")
    assert page.input_value("input[name=email]") == "owner@brightsmiles.example"
    page.fill("input[name=name]", "Bright Smiles")
    page.fill("input[name=phone]", "555")
    page.click("button:has-text('Continue')")
    assert "country code" in page.inner_text(".field.has-error")
    screenshot(page, "auth-onboarding-profile-error")
    page.fill("input[name=phone]", "+1 415 555 2671")
    page.click("button:has-text('Continue')")

    # Step 2: the plan. Paying is billing's journey; here the contract appears as Checkout would leave it.
    page.wait_for_url(f"{base}/onboarding/plan")
    assert page.locator("[aria-current=step]").inner_text().endswith("Choose a plan")
    screenshot(page, "auth-onboarding-plan")
    customer = db.session.scalars(select(Customer).where(Customer.cognito_id == "owner@brightsmiles.example")).one()
    assert customer.phone == "+14155552671"
    factories.make_contract(customer, plan)
    db.session.commit()
    page.goto(f"{base}/onboarding/plan")

    # Step 3: the first agent, then the dashboard.
    page.wait_for_url(f"{base}/onboarding/agent")
    screenshot(page, "auth-onboarding-agent")
    page.fill("input[name=name]", "Front desk")
    page.click("button:has-text('Create agent')")
    page.wait_for_url(f"{base}/")
    assert "Your agent Front desk is ready" in page.inner_text("#flashes")

    # Settings: an API key, shown once, then revoked after a confirmation.
    page.click("nav >> text=Settings")
    page.click("button:has-text('Create key')")  # no name: the error is swapped in next to the field
    page.wait_for_selector("#api-keys .field.has-error")
    assert "Fill in “" in page.inner_text("#api-keys")
    page.fill("#api-keys input[name=name]", "Zapier")
    page.click("button:has-text('Create key')")
    secret = page.input_value("#new-api-key")
    assert secret.startswith("acx_")
    screenshot(page, "auth-settings-new-key")
    page.reload()
    assert secret not in page.content()
    page.fill("#profile input[name=phone]", "12")
    page.click("button:has-text('Save profile')")
    page.wait_for_selector("#profile .field.has-error")
    page.fill("#profile input[name=phone]", "+1 415 555 2672")
    page.click("button:has-text('Save profile')")
    page.wait_for_selector("#profile >> text=Your business profile is saved.")
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('Revoke')")
    page.wait_for_selector("text=is revoked")
    screenshot(page, "auth-settings")

    # Sign out here and at the provider: Cognito's /logout (client_id + logout_uri) ends its session and
    # sends the browser straight back; signing in again asks for the login again.
    page.click("button:has-text('Sign out')")
    page.wait_for_url(f"{base}/auth/signed-out")
    screenshot(page, "auth-signed-out")
    page.goto(f"{base}/settings/")
    assert page.url.startswith(f"{base}/auth/login")
    page.click("text=Sign in with AWS Cognito")
    page.wait_for_url(f"{issuer}/**")
    assert page.locator("input[name=login]").is_visible()
    assert errors == []
