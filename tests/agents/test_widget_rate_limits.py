"""The widget's public endpoints are limited per widget and address together, so shared addresses keep working."""
import time

import pytest

from dashboard.agents.widget.operations import widget_token
from dashboard.extensions import db
from tests import factories

OFFICE, HOME, CAFE = "203.0.113.10", "198.51.100.20", "192.0.2.30"


@pytest.fixture
def limited_app(make_app, request):
    """An app with rate limits on (the test suite turns them off), and the settings the test names."""
    app = make_app(RATELIMIT_ENABLED=True, **getattr(request, "param", {}))
    with app.app_context():
        yield app


@pytest.fixture
def tokens(limited_app):
    customer = factories.make_customer()
    agents = [factories.make_agent(customer), factories.make_agent(customer)]
    db.session.commit()
    return [widget_token(agent) for agent in agents]


def get_config(client, token, address):
    return client.get(f"/widget/{token}/config", environ_base={"REMOTE_ADDR": address})


def start_call(client, token, address):
    return client.post(f"/widget/{token}/calls", environ_base={"REMOTE_ADDR": address})


def test_a_busy_offices_visitors_on_one_address_are_not_refused(limited_app, tokens):
    client = limited_app.test_client()
    statuses = []
    for _ in range(150):  # 150 page views a minute from one office, at 50 a second: the old limit refused 30
        statuses.append(get_config(client, tokens[0], OFFICE).status_code)
        time.sleep(0.02)
    assert statuses == [200] * 150


@pytest.mark.parametrize("limited_app", [{"WIDGET_CONFIG_RATE_LIMIT": "3 per minute"}], indirect=True)
def test_the_config_budget_is_per_widget_and_address(limited_app, tokens):
    client = limited_app.test_client()
    assert [get_config(client, tokens[0], OFFICE).status_code for _ in range(3)] == [200] * 3
    refused = get_config(client, tokens[0], OFFICE)
    assert refused.status_code == 429 and refused.mimetype == "application/problem+json"
    assert refused.headers["Access-Control-Allow-Origin"] == "*" and 0 < int(refused.headers["Retry-After"]) <= 60
    assert get_config(client, tokens[0], HOME).status_code == 200  # the same site from another address
    assert get_config(client, tokens[1], OFFICE).status_code == 200  # another widget from the same address


@pytest.mark.parametrize("limited_app", [{"WIDGET_CALL_RATE_LIMIT": "2 per minute",
                                          "WIDGET_CALLS_PER_WIDGET_LIMIT": "3 per minute"}], indirect=True)
def test_calls_are_limited_per_address_and_capped_per_widget_across_addresses(limited_app, tokens):
    client = limited_app.test_client()
    # No Ultravox here, so an allowed call is a 503: what matters is that it was not refused with a 429.
    assert [start_call(client, tokens[0], OFFICE).status_code for _ in range(2)] == [503, 503]
    from_office = start_call(client, tokens[0], OFFICE)
    assert from_office.status_code == 429 and "from your address" in from_office.json["detail"]
    assert start_call(client, tokens[0], HOME).status_code == 503
    over_ceiling = start_call(client, tokens[0], CAFE)  # a fourth call on this widget in a minute
    assert over_ceiling.status_code == 429 and "too many calls right now" in over_ceiling.json["detail"]
    assert start_call(client, tokens[1], CAFE).status_code == 503  # the business's other widget is not capped
