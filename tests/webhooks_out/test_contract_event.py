"""A contract changed by Stripe (a paid checkout) reaches the business's endpoint as contract.updated."""
from __future__ import annotations

import pytest

from dashboard.extensions import db
from dashboard.webhooks_out.operations import create_endpoint
from tests.billing.conftest import WEBHOOK_SECRET, deliver, new_customer, paid_checkout, plan  # noqa: F401


@pytest.fixture
def app(make_app, stripe_standin):
    app = make_app(STRIPE_SECRET_KEY=stripe_standin.api_key, STRIPE_API_BASE=stripe_standin.base_url,
                   STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET, SAFE_HTTP_ALLOWED_HOSTS=["127.0.0.1"])
    with app.app_context():
        yield app


def test_a_paid_checkout_announces_the_new_contract(login_as, new_customer, plan, stripe_standin,  # noqa: F811
                                                    receiver, client):
    create_endpoint(new_customer.customer_id, receiver.url, ["contract.updated"])
    db.session.commit()
    completed = paid_checkout(login_as(new_customer), stripe_standin, plan)
    assert deliver(client, completed).get_json()["outcome"] == "contract created"
    [hit] = receiver.received
    assert hit["body"]["type"] == "contract.updated"
    assert hit["body"]["data"]["object"]["status"] == "active" and hit["body"]["data"]["object"]["plan_id"] == plan.plan_id
