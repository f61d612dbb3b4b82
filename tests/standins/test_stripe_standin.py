"""The Stripe stand-in, driven through the official stripe library over real HTTP."""

import json
import time
import urllib.error
import urllib.request

import pytest
import stripe

from .stripe_server import StripeStandin, parse_params
from .stripe_signing import sign_payload


@pytest.fixture
def standin():
    with StripeStandin() as server:
        yield server


def client_for(standin, api_key=None):
    # No retries: each assertion should see the stand-in's first answer.
    return stripe.StripeClient(api_key or standin.api_key, base_addresses={"api": standin.base_url},
                               max_network_retries=0)


@pytest.fixture
def client(standin):
    return client_for(standin)


def create_plan(client, lookup_key="angel_pro_monthly", interval="month"):
    product = client.v1.products.create({"id": "angel_pro", "name": "AngelCX Pro"})
    return client.v1.prices.create({
        "product": product.id, "unit_amount": 4900, "currency": "usd",
        "recurring": {"interval": interval}, "lookup_key": lookup_key, "metadata": {"plan_id": "3"},
    })


def create_session(client, price_id, **extra):
    return client.v1.checkout.sessions.create({
        "mode": "subscription", "success_url": "https://app.test/billing/success?session={CHECKOUT_SESSION_ID}",
        "line_items": [{"price": price_id, "quantity": 1}], "client_reference_id": "account-7",
        "metadata": {"plan_id": "3"}, "subscription_data": {"metadata": {"account_id": "7"}}, **extra,
    })


def test_parse_params_decodes_stripe_form_encoding():
    encoded = ("line_items[0][price]=price_x&line_items[0][quantity]=1&metadata[plan_id]=3"
               "&subscription_data[metadata][k]=v&lookup_keys[]=a&lookup_keys[]=b&expand[0]=customer")
    assert parse_params(encoded) == {
        "line_items": [{"price": "price_x", "quantity": "1"}], "metadata": {"plan_id": "3"},
        "subscription_data": {"metadata": {"k": "v"}}, "lookup_keys": ["a", "b"], "expand": ["customer"],
    }
    assert parse_params("lookup_keys[0]=a") == {"lookup_keys": ["a"]}
    assert parse_params("metadata[0]=zero") == {"metadata": {"0": "zero"}}


def test_customer_create_retrieve_and_update(standin, client):
    customer = client.v1.customers.create({"email": "ada@example.com", "metadata": {"account_id": "7"}})

    assert customer.id.startswith("cus_") and customer.object == "customer" and customer.livemode is False
    assert abs(customer.created - time.time()) < 60
    assert client.v1.customers.retrieve(customer.id).email == "ada@example.com"
    updated = client.v1.customers.update(customer.id, {"name": "Ada", "metadata": {"account_id": "", "tier": "pro"}})
    assert (updated.name, updated.metadata.to_dict()) == ("Ada", {"tier": "pro"})
    assert standin.requests[0] == ("POST", "/v1/customers",
                                   {"email": "ada@example.com", "metadata": {"account_id": "7"}})


def test_products_accept_caller_id_and_list_newest_first(client):
    client.v1.products.create({"id": "angel_basic", "name": "Basic"})
    client.v1.products.create({"name": "Pro", "metadata": {"tier": "pro"}})

    listed = client.v1.products.list()
    assert listed.object == "list" and listed.url == "/v1/products" and listed.has_more is False
    assert [product.name for product in listed.data] == ["Pro", "Basic"]
    assert listed.data[0].id.startswith("prod_") and listed.data[1].id == "angel_basic"
    assert client.v1.products.update("angel_basic", {"active": False}).active is False
    assert [product.name for product in client.v1.products.list({"active": True}).data] == ["Pro"]


def test_lists_page_with_limit_and_starting_after(client):
    for name in ("One", "Two", "Three"):
        client.v1.products.create({"name": name})

    first_page = client.v1.products.list({"limit": 2})
    assert [product.name for product in first_page.data] == ["Three", "Two"] and first_page.has_more is True
    paged = client.v1.products.list({"limit": 1}).auto_paging_iter()
    assert [product.name for product in paged] == ["Three", "Two", "One"]


def test_prices_are_found_by_lookup_key(standin, client):
    price = create_plan(client)
    create_plan_other = client.v1.prices.create({"product": "angel_pro", "unit_amount": 49000,
                                                 "currency": "usd", "recurring": {"interval": "year"}})

    listed = client.v1.prices.list({"lookup_keys": ["angel_pro_monthly"], "expand": ["data.product"]})
    assert [found.id for found in listed.data] == [price.id]
    found = listed.data[0]
    assert found.id.startswith("price_") and found.unit_amount == 4900 and found.recurring.interval == "month"
    assert found.product.name == "AngelCX Pro" and found.metadata.plan_id == "3"
    assert client.v1.prices.retrieve(create_plan_other.id).recurring.interval == "year"
    assert standin.requests[-2][2]["lookup_keys"] == ["angel_pro_monthly"]


def test_price_update_changes_only_mutable_fields(client):
    price = create_plan(client)

    updated = client.v1.prices.update(price.id, {"active": False, "nickname": "Pro monthly"})
    assert (updated.active, updated.nickname, updated.unit_amount) == (False, "Pro monthly", 4900)
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.prices.update(price.id, {"unit_amount": 5900})
    error = raised.value
    assert (error.http_status, error.code, error.param) == (400, "parameter_unknown", "unit_amount")


def test_lookup_keys_are_unique_unless_transferred(client):
    old = create_plan(client)
    new_price = {"product": "angel_pro", "unit_amount": 5900, "currency": "usd",
                 "recurring": {"interval": "month"}, "lookup_key": "angel_pro_monthly"}

    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.prices.create(new_price)
    assert raised.value.param == "lookup_key"
    moved = client.v1.prices.create({**new_price, "transfer_lookup_key": True})
    assert [price.id for price in client.v1.prices.list({"lookup_keys": ["angel_pro_monthly"]}).data] == [moved.id]
    assert client.v1.prices.retrieve(old.id).lookup_key is None


def test_checkout_session_round_trip(standin, client):
    customer = client.v1.customers.create({"email": "ada@example.com"})
    price = create_plan(client)

    session = create_session(client, price.id, customer=customer.id)
    assert session.id.startswith("cs_test_") and session.object == "checkout.session"
    assert (session.status, session.payment_status, session.mode) == ("open", "unpaid", "subscription")
    assert (session.customer, session.client_reference_id, session.subscription) == (customer.id, "account-7", None)
    assert session.metadata.to_dict() == {"plan_id": "3"} and session.amount_total == 4900
    assert session.url == f"{standin.base_url}/checkout/{session.id}"
    assert "line_items" not in session
    fetched = client.v1.checkout.sessions.retrieve(session.id, {"expand": ["line_items"]})
    assert fetched.id == session.id and fetched.line_items.data[0].price.id == price.id
    assert standin.requests[-2][2]["line_items"] == [{"price": price.id, "quantity": "1"}]
    assert standin.requests[-2][2]["subscription_data"] == {"metadata": {"account_id": "7"}}
    with urllib.request.urlopen(session.url) as page:
        assert page.status == 200 and session.id in page.read().decode()


def test_complete_checkout_creates_subscription_and_event(standin, client):
    price = create_plan(client)
    session = create_session(client, price.id, customer_email="ada@example.com")

    event = standin.complete_checkout(session.id)
    assert event["id"].startswith("evt_") and event["object"] == "event" and event["livemode"] is False
    assert event["type"] == "checkout.session.completed"
    completed = event["data"]["object"]
    assert (completed["status"], completed["payment_status"]) == ("complete", "paid")
    assert completed["customer"].startswith("cus_") and completed["subscription"].startswith("sub_")
    subscription = client.v1.subscriptions.retrieve(completed["subscription"])
    item = subscription["items"].data[0]
    assert (subscription.status, subscription.customer, item.price.id) == ("active", completed["customer"], price.id)
    assert subscription.metadata.to_dict() == {"account_id": "7"}
    assert item.current_period_end == subscription.current_period_end > subscription.current_period_start
    assert client.v1.checkout.sessions.retrieve(session.id).status == "complete"
    with pytest.raises(ValueError):
        standin.complete_checkout(session.id)


def test_cancelling_a_subscription_ends_it_once_and_is_recorded(standin, client):
    event = standin.complete_checkout(create_session(client, create_plan(client).id).id)
    subscription_id = event["data"]["object"]["subscription"]

    cancelled = client.v1.subscriptions.cancel(subscription_id, {"cancellation_details": {"comment": "duplicate"}})

    assert (cancelled.status, cancelled.cancellation_details.comment) == ("canceled", "duplicate")
    assert cancelled.canceled_at is not None and cancelled.ended_at is not None
    assert standin.cancelled_subscription_ids() == [subscription_id]
    with pytest.raises(stripe.InvalidRequestError) as again:
        client.v1.subscriptions.cancel(subscription_id)
    assert again.value.http_status == 400 and standin.cancelled_subscription_ids() == [subscription_id]
    with pytest.raises(stripe.InvalidRequestError) as unknown:
        client.v1.subscriptions.cancel(subscription_id, {"prorate": "sometimes"})
    assert unknown.value.http_status == 400


def test_billing_portal_session(standin, client):
    customer = client.v1.customers.create({})

    portal = client.v1.billing_portal.sessions.create({"customer": customer.id, "return_url": "https://app.test/"})
    assert portal.object == "billing_portal.session" and portal.id.startswith("bps_")
    assert portal.url.startswith(standin.base_url) and portal.return_url == "https://app.test/"


def test_wrong_or_missing_api_key_is_401(standin):
    with pytest.raises(stripe.AuthenticationError) as raised:
        client_for(standin, "sk_test_wrong_key_123456").v1.customers.create({})
    assert raised.value.http_status == 401 and "Invalid API Key provided" in raised.value.user_message
    with pytest.raises(urllib.error.HTTPError) as raw:
        urllib.request.urlopen(f"{standin.base_url}/v1/customers/cus_x")
    assert raw.value.code == 401 and json.load(raw.value)["error"]["type"] == "invalid_request_error"
    assert standin.objects == {}


def test_unknown_id_is_resource_missing(client):
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.customers.retrieve("cus_x")

    error = raised.value
    assert (error.http_status, error.code, error.param) == (404, "resource_missing", "id")
    assert error.user_message == "No such customer: 'cus_x'"


def test_missing_parameter_is_named(client):
    price = create_plan(client)

    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.checkout.sessions.create({"success_url": "https://app.test/ok",
                                            "line_items": [{"price": price.id, "quantity": 1}]})
    assert (raised.value.http_status, raised.value.code, raised.value.param) == (400, "parameter_missing", "mode")
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.billing_portal.sessions.create({"customer": "cus_gone"})
    assert (raised.value.code, raised.value.param) == ("resource_missing", "customer")


def test_idempotency_key_replays_first_response(standin, client):
    options = {"idempotency_key": "signup-7"}

    first = client.v1.customers.create({"email": "ada@example.com"}, options)
    again = client.v1.customers.create({"email": "ada@example.com"}, options)
    assert again.id == first.id and len(standin.objects) == 1
    with pytest.raises(stripe.IdempotencyError):
        client.v1.customers.create({"email": "bob@example.com"}, options)


def test_signed_event_verifies_and_tampering_is_rejected(standin, client):
    event = standin.complete_checkout(create_session(client, create_plan(client).id).id)
    body, secret = json.dumps(event).encode(), "whsec_standin"

    verified = stripe.Webhook.construct_event(body, sign_payload(body, secret), secret)
    assert verified.type == "checkout.session.completed" and verified.data.object.id == event["data"]["object"]["id"]
    assert sign_payload(body, secret, 1700000000) == stripe.WebhookSignature.generate_signature_header(
        body.decode(), secret, timestamp=1700000000)
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body.replace(b'"paid"', b'"unpaid"'), sign_payload(body, secret), secret)
    with pytest.raises(stripe.SignatureVerificationError):
        stripe.Webhook.construct_event(body, sign_payload(body, "whsec_other"), secret)


def test_event_wraps_any_object(standin):
    subscription = {"id": "sub_1", "object": "subscription", "status": "canceled"}

    event = standin.event("customer.subscription.deleted", subscription, previous_attributes={"status": "active"})
    subscription["status"] = "mutated later"
    assert event["type"] == "customer.subscription.deleted" and event["data"]["object"]["status"] == "canceled"
    assert event["data"]["previous_attributes"] == {"status": "active"} and event["api_version"]
