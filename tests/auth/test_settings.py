"""Settings: the business profile and API keys (shown once, stored hashed, listed by prefix, revoked)."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import event, select

from dashboard.auth.models import ApiKey
from dashboard.extensions import db
from tests import factories

HTMX = {"HX-Request": "true"}


def test_settings_shows_the_profile_and_an_empty_key_list(login_as, customer):
    html = login_as(customer).get("/settings/").get_data(as_text=True)
    assert f'value="{customer.name}"' in html and f'value="{customer.email}"' in html
    assert "No API keys yet" in html
    assert 'aria-current="page">Settings</a>' in html


def test_the_profile_is_saved_with_a_normalised_phone(login_as, customer):
    client = login_as(customer)
    response = client.post("/settings/profile", data={"name": "Renamed Co", "email": "New@Renamed.example",
                                                      "phone": "+44 20 7946 0958"})
    assert response.headers["Location"] == "/settings/"
    assert (customer.name, customer.email, customer.phone) == ("Renamed Co", "new@renamed.example", "+442079460958")
    assert "Your business profile is saved." in client.get("/settings/").get_data(as_text=True)


def test_keeping_your_own_name_is_not_a_conflict(login_as, customer):
    response = login_as(customer).post("/settings/profile", data={"name": customer.name.upper(),
                                                                  "email": customer.email, "phone": ""})
    assert response.status_code == 302 and customer.phone is None


@pytest.mark.parametrize(("field", "value", "message"), [
    ("name", "OTHER business", "Another business already uses this name."),
    ("email", "owner@other.example", "Another business already uses this email."),
    ("phone", "12", "Enter the number with its country code"),
])
def test_profile_errors_re_render_the_fragment_with_a_422(login_as, customer, other_customer, field, value, message):
    data = {"name": customer.name, "email": customer.email, "phone": "", field: value}
    response = login_as(customer).post("/settings/profile", data=data, headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and message in html
    assert html.lstrip().startswith('<section class="card settings-card" id="profile">')
    db.session.refresh(customer)
    assert customer.name != "OTHER business" and customer.email != "owner@other.example"


def test_a_new_key_is_shown_once_and_stored_only_as_a_hash(login_as, customer, caplog):
    client = login_as(customer)
    caplog.set_level("DEBUG")
    response = client.post("/settings/api-keys", data={"name": "Zapier"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    secret = re.search(r'value="(acx_[A-Za-z0-9_-]+)"', response.get_data(as_text=True)).group(1)
    assert "only time it is shown" in response.get_data(as_text=True)

    key = db.session.scalars(select(ApiKey)).one()
    stored = [str(v) for v in (key.name, key.prefix, key.key_hash)]
    assert all(secret not in value for value in stored) and secret.startswith(key.prefix)
    # It works on the API…
    assert client.get("/api/v1/", headers={"Authorization": f"Bearer {secret}"}).status_code == 200
    # …and no page shows it again, only its prefix and when it was used.
    page = client.get("/settings/").get_data(as_text=True)
    assert secret not in page and f"{key.prefix}…" in page and "Never" not in page
    assert secret not in caplog.text


def test_creating_a_key_with_htmx_swaps_the_key_section(login_as, customer):
    response = login_as(customer).post("/settings/api-keys", data={"name": "Make"}, headers=HTMX)
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<section class="card settings-card" id="api-keys">')
    assert 'id="new-api-key"' in html and 'data-copy="#new-api-key"' in html


def test_a_key_needs_a_name(login_as, customer):
    response = login_as(customer).post("/settings/api-keys", data={"name": "  "}, headers=HTMX)
    assert response.status_code == 422 and "Fill in “" in response.get_data(as_text=True)
    assert db.session.scalars(select(ApiKey)).first() is None


def test_live_keys_are_capped(login_as, customer):
    from dashboard.auth.api_keys import MAX_LIVE_KEYS

    for n in range(MAX_LIVE_KEYS):
        factories.make_api_key(customer, f"Key {n}")
    response = login_as(customer).post("/settings/api-keys", data={"name": "One more"})
    assert response.status_code == 422 and "the most allowed" in response.get_data(as_text=True)


def test_revoking_asks_first_then_stops_the_key(login_as, customer):
    key, secret = factories.make_api_key(customer, "Old integration")
    client = login_as(customer)
    listing = client.get("/settings/").get_data(as_text=True)
    assert f'hx-confirm="Revoke the key Old integration ({key.prefix}…)?' in listing
    confirm = client.get(f"/settings/api-keys/{key.api_key_id}/revoke")
    assert confirm.status_code == 200 and "cannot be undone" in confirm.get_data(as_text=True)
    assert key.revoked_at is None  # asking changed nothing

    response = client.post(f"/settings/api-keys/{key.api_key_id}/revoke", headers=HTMX)
    assert response.status_code == 200 and "is revoked" in response.get_data(as_text=True)
    assert key.revoked_at is not None
    assert client.get("/api/v1/", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    assert "Revoked" in client.get("/settings/").get_data(as_text=True)


def test_another_customers_key_is_a_404(login_as, customer, other_customer):
    key, secret = factories.make_api_key(other_customer)
    client = login_as(customer)
    assert client.post(f"/settings/api-keys/{key.api_key_id}/revoke").status_code == 404
    assert key.revoked_at is None
    assert key.prefix not in client.get("/settings/").get_data(as_text=True)


def test_the_settings_page_runs_the_same_number_of_queries_however_many_keys(login_as, customer, app):
    client = login_as(customer)

    def statements_for_page() -> int:
        count = 0

        def on_execute(*_args):
            nonlocal count
            count += 1

        event.listen(db.engine, "before_cursor_execute", on_execute)
        try:
            assert client.get("/settings/").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", on_execute)
        return count

    factories.make_api_key(customer, "First")
    few = statements_for_page()
    for n in range(8):
        factories.make_api_key(customer, f"More {n}")
    assert statements_for_page() == few


def test_the_time_zone_moves_chart_days_and_every_time_shown(login_as, customer):
    from datetime import UTC, datetime

    from sqlalchemy import select

    from dashboard.analytics.models import DailyRollup
    from dashboard.jobs import dispatch_pending

    agent = factories.make_agent(customer)
    late = datetime.now(UTC).replace(hour=23, minute=30, second=0, microsecond=0) - timedelta(days=2)
    factories.make_conversation(customer, agent, created_at=late)
    db.session.commit()
    client = login_as(customer)
    assert "23:30 UTC" in client.get("/conversations/").get_data(as_text=True)

    response = client.post("/settings/profile", data={"name": customer.name, "email": customer.email,
                                                      "phone": "", "time_zone": "Asia/Tokyo"})
    assert response.status_code == 302 and customer.time_zone == "Asia/Tokyo"
    dispatch_pending()  # the rebuild job the change recorded (inline: no Redis)
    db.session.expire_all()
    assert db.session.scalars(select(DailyRollup.day).where(DailyRollup.customer_id == customer.customer_id)).all() \
        == [(late + timedelta(hours=9)).date()]  # the next day in Tokyo
    assert "08:30 JST" in client.get("/conversations/").get_data(as_text=True)

    refused = client.post("/settings/profile", data={"name": customer.name, "email": customer.email,
                                                     "time_zone": "Mars/Olympus"}, headers=HTMX)
    assert refused.status_code == 422 and "Choose one of the options offered" in refused.get_data(as_text=True)
