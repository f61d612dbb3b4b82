"""The analytics page aggregates in SQL, over the signed-in customer's conversations only."""
from datetime import timedelta

from dashboard.analytics.operations import breakdown, by_agent, daily_volume, sentiment_bands
from dashboard.database import utcnow
from dashboard.extensions import db
from dashboard.models import Analysis
from tests import factories
from tests.querycount import counting_queries


def test_aggregates_count_each_intent_band_and_agent(app, customer, other_customer):
    agent = factories.make_agent(customer, name="Front Desk")
    for _ in range(3):
        factories.make_conversation(customer, agent, channel="voice")
    chat = factories.make_conversation(customer, agent, channel="chat")
    chat.analysis.intent, chat.analysis.sentiment = "complaint", -0.8
    factories.make_conversation(customer, agent, created_at=utcnow() - timedelta(days=40))  # outside 30 days
    factories.make_conversation(other_customer, factories.make_agent(other_customer))
    db.session.commit()

    intents = breakdown(customer.customer_id, 30, Analysis.intent)
    assert intents == [{"name": "book_appointment", "count": 3, "sentiment": 0.6},
                       {"name": "complaint", "count": 1, "sentiment": -0.8}]
    assert sentiment_bands(customer.customer_id, 30) == {"negative": 1, "neutral": 0, "positive": 3}
    assert sum(d["voice"] + d["chat"] for d in daily_volume(customer.customer_id, 30)) == 4
    assert sum(d["voice"] for d in daily_volume(customer.customer_id, 30)) == 3
    agents = by_agent(customer.customer_id, 30)
    assert [(a["name"], a["count"]) for a in agents] == [("Front Desk", 4)]
    assert str(agents[0]["minutes"]) == "15.0"


def test_page_shows_charts_and_switches_period_with_htmx(login_as, customer):
    agent = factories.make_agent(customer)
    factories.make_conversation(customer, agent)
    factories.make_conversation(customer, agent, created_at=utcnow() - timedelta(days=60))
    db.session.commit()
    client = login_as(customer)
    page = client.get("/analytics/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="chart-data"' in html and "chart-4.6.1.umd.min.js" in html
    fragment = client.get("/analytics/?days=90", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and ">2<" in body  # both conversations within 90 days


def test_bad_period_falls_back_to_thirty_days(login_as, customer):
    html = login_as(customer).get("/analytics/?days=abc").get_data(as_text=True)
    assert 'value="30" selected' in html


def test_empty_state_when_nothing_happened(login_as, customer):
    html = login_as(customer).get("/analytics/").get_data(as_text=True)
    assert "No conversations in the last 30 days" in html


def test_query_count_does_not_grow_with_conversations(login_as, customer):
    client = login_as(customer)
    agents = [factories.make_agent(customer, name=f"Agent {i}") for i in range(2)]
    factories.make_conversation(customer, agents[0])
    db.session.commit()
    with counting_queries() as few:
        client.get("/analytics/")
    for i in range(20):
        factories.make_conversation(customer, agents[i % 2])
    db.session.commit()
    with counting_queries() as many:
        client.get("/analytics/")
    assert len(many) == len(few)
