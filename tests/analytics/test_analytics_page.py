"""The analytics page reads the rollups of the signed-in customer only; every bar and row links to the
conversations it counts, with the same filters, in the customer's time zone."""
import html
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from dashboard.analytics.operations import breakdown, by_agent, figures, last_days, volume
from dashboard.database import utcnow
from dashboard.extensions import db
from dashboard.models import Conversation
from tests import factories
from tests.querycount import counting_queries


def test_aggregates_count_each_intent_band_and_agent(app, customer, other_customer):
    agent = factories.make_agent(customer, name="Front Desk")
    for _ in range(3):
        factories.make_conversation(customer, agent, channel="voice")
    chat = factories.make_conversation(customer, agent, channel="chat")
    chat.analysis.intent, chat.analysis.sentiment = "complaint", -0.8
    factories.count_in_rollups(chat)  # a re-analysis moves it to other buckets
    factories.make_conversation(customer, agent, created_at=utcnow() - timedelta(days=40))  # outside 30 days
    factories.make_conversation(other_customer, factories.make_agent(other_customer))
    db.session.commit()

    scope = last_days(customer.customer_id, 30)
    assert breakdown(scope, "intent") == [{"name": "book_appointment", "count": 3, "sentiment": 0.6},
                                          {"name": "complaint", "count": 1, "sentiment": -0.8}]
    totals = figures(scope)
    assert totals.bands == {"negative": 1, "neutral": 0, "positive": 3}
    assert (totals.conversations, totals.voice, totals.chat, str(totals.call_minutes)) == (4, 3, 1, "15.0")
    assert (totals.average_seconds, totals.messages_per_conversation) == (300, 4.0)
    assert sum(d["voice"] + d["chat"] for d in volume(scope)) == 4 and len(volume(scope)) == 30
    [row] = by_agent(scope)
    assert (row["name"], row["figures"].conversations) == ("Front Desk", 4)
    assert figures(last_days(customer.customer_id, 30, channel="chat")).conversations == 1
    assert figures(last_days(customer.customer_id, 90)).conversations == 5


def test_page_shows_charts_and_switches_period_with_htmx(login_as, customer):
    agent = factories.make_agent(customer)
    factories.make_conversation(customer, agent)
    factories.make_conversation(customer, agent, created_at=utcnow() - timedelta(days=60))
    db.session.commit()
    client = login_as(customer)
    page = client.get("/analytics/")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert 'class="hbar"' in body and 'class="segment chat"' in body
    fragment = client.get("/analytics/?days=90", headers={"HX-Request": "true"})
    body = fragment.get_data(as_text=True)
    assert "<html" not in body and 'class="stat-value">2<' in body  # both conversations within 90 days


def test_bad_period_falls_back_to_thirty_days_and_a_bad_range_is_explained(login_as, customer):
    client = login_as(customer)
    assert 'selected value="30"' in client.get("/analytics/?days=abc").get_data(as_text=True)
    refused = client.get("/analytics/?start=2026-03-10&end=2026-03-01")
    assert refused.status_code == 422 and "The last day is before the first day." in refused.get_data(as_text=True)
    too_long = client.get("/analytics/?start=2024-01-01&end=2026-01-01")
    assert too_long.status_code == 422 and "at most 366 days" in too_long.get_data(as_text=True)


def test_empty_state_when_nothing_happened(login_as, customer):
    html_ = login_as(customer).get("/analytics/").get_data(as_text=True)
    assert "No conversations in this period" in html_


def test_query_count_does_not_grow_with_conversations(login_as, customer):
    client = login_as(customer)
    agents = [factories.make_agent(customer, name=f"Agent {i}") for i in range(2)]
    factories.make_conversation(customer, agents[0])
    db.session.commit()
    with counting_queries() as few:
        client.get("/analytics/")
    for i in range(20):
        factories.make_conversation(customer, agents[i % 2], channel="voice" if i % 3 else "chat")
    db.session.commit()
    with counting_queries() as many:
        client.get("/analytics/")
    assert len(many) == len(few)
    assert not [s for s in many if re.search(r"\bFROM (session|analytics|message)\b", s)]  # rollups only


def _links(body: str, kind: str) -> list[tuple[str, int]]:
    """(href, count) of each chart segment or bar of `kind` on the page."""
    if kind == "segment":
        found = re.findall(r'class="segment \w+"[^>]*href="([^"]+)" aria-label="[^"]*: (\d+) \w+"', body)
    else:
        found = re.findall(r'class="hbar" href="([^"]+)" title="([\d,]+) conversations', body)
    return [(html.unescape(href), int(count.replace(",", ""))) for href, count in found]


def test_every_chart_segment_lands_on_the_conversations_it_counts(login_as, customer):
    """Days are the customer's local days: conversations either side of Auckland's midnight land on the day
    the chart shows them on, and the list finds exactly those."""
    customer.time_zone = "Pacific/Auckland"
    agents = [factories.make_agent(customer, name="Front Desk"), factories.make_agent(customer, name="Night Line")]
    zone = ZoneInfo("Pacific/Auckland")
    midnight = datetime.now(zone).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=3)
    sentiments = [0.6, -0.7, 0.0, 0.5, -0.3, 0.9]
    for i, minutes in enumerate((-50, -20, -5, 5, 20, 50)):
        conversation = factories.make_conversation(
            customer, agents[i % 2], channel="voice" if i % 3 == 0 else "chat",
            created_at=(midnight + timedelta(minutes=minutes)).astimezone(UTC))
        conversation.analysis.sentiment = sentiments[i]
        conversation.analysis.intent = ["book_appointment", "complaint", "question"][i % 3]
        factories.count_in_rollups(conversation)
    db.session.commit()
    client = login_as(customer)
    body = client.get("/analytics/?days=7").get_data(as_text=True)
    segments, bars = _links(body, "segment"), _links(body, "hbar")
    assert len(segments) == 4  # two local days × two channels
    assert len(bars) == 3 + 3 + 1  # sentiment bands, intents, the one category
    for href, count in segments + bars:
        listing = client.get(href).get_data(as_text=True)
        assert listing.count("/conversations/") - listing.count('href="/conversations/"') >= count
        assert listing.count('class="badge">Ended') == count, href
        assert "From Analytics:" in listing
    [(agent_href, _)] = [(h, 0) for h in re.findall(r'data-label="Agent"><a href="([^"]+)">Night Line', body)]
    listing = client.get(html.unescape(agent_href)).get_data(as_text=True)
    assert listing.count('class="badge">Ended') == 3 and "Agent: Night Line" in listing


def test_agent_and_channel_filters_stay_in_the_url(login_as, customer):
    front, night = factories.make_agent(customer, name="Front Desk"), factories.make_agent(customer, name="Night Line")
    factories.make_conversation(customer, front, channel="voice")
    factories.make_conversation(customer, night, channel="chat")
    db.session.commit()
    client = login_as(customer)
    body = client.get(f"/analytics/?days=30&agent={night.agent_id}&channel=chat").get_data(as_text=True)
    assert 'class="stat-value">1<' in body and "Front Desk</a>" not in body
    assert f"agent={night.agent_id}" in body and "channel=chat" in body  # carried into every drill-down link
    assert db.session.query(Conversation).count() == 2
