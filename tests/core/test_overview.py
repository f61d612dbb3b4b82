"""The overview: the period's figures against the previous period, what needs attention, the latest
conversations, and a setup checklist for a customer with nothing yet."""
import re
from datetime import timedelta

from dashboard.database import utcnow
from dashboard.extensions import db
from dashboard.models import ThirdPartyOAuth
from tests import factories
from tests.querycount import counting_queries


def test_a_new_customer_gets_the_setup_checklist_instead_of_empty_charts(login_as):
    newcomer = factories.make_customer(with_contract=False)
    db.session.commit()
    html = login_as(newcomer).get("/").get_data(as_text=True)
    assert "Get set up" in html and 'class="segment' not in html
    assert html.count('class="todo"') == 4  # plan, agent, widget, first conversation
    assert "See plans" in html and "New agent" in html


def test_figures_change_against_the_previous_period_and_attention_links_to_the_conversations(login_as, customer):
    agent = factories.make_agent(customer)
    for days_ago in (1, 2, 3, 4):  # four in the last 30 days
        conversation = factories.make_conversation(customer, agent, created_at=utcnow() - timedelta(days=days_ago))
        if days_ago == 1:
            conversation.analysis.sentiment = -0.8
            conversation.over_limit = True
            factories.count_in_rollups(conversation)
    for days_ago in (35, 40):  # two in the 30 days before
        factories.make_conversation(customer, agent, created_at=utcnow() - timedelta(days=days_ago))
    emailed = factories.make_conversation(customer, agent, created_at=utcnow() - timedelta(days=5))
    emailed.analysis.sentiment = -0.5
    factories.count_in_rollups(emailed)
    failed = factories.make_email_log(customer, conversation=emailed)
    failed.status = "failed"
    factories.count_in_rollups(emailed)
    db.session.add(ThirdPartyOAuth(agent_id=agent.agent_id, third_party_app_id=factories.make_app_catalog_entry()
                                   .third_party_app_id, access_token="x", expiry=utcnow() - timedelta(days=1)))
    db.session.commit()

    html = login_as(customer).get("/").get_data(as_text=True)
    assert re.search(r'stat-value">5<', html) and "+150% vs previous" in html  # 5 against 2
    attention = html.split("Needs attention")[1].split("Latest conversations")[0]
    # Both negative ones: an email that failed is no follow-up (and it is listed on its own too).
    assert re.search(r'badge danger">2</span> Negative conversations without a follow-up email', attention)
    assert re.search(r'badge danger">1</span> Follow-up emails that failed', attention)
    assert re.search(r'badge warn">1</span> Conversations over your plan', attention)
    assert re.search(r'badge warn">1</span> Connections that need reconnecting', attention)
    assert "sentiment=negative" in attention and "over_limit=y" in attention and "via=overview" in attention
    assert html.count("/conversations/") >= 5  # the latest conversations link to their transcripts


def test_the_overview_reads_rollups_not_conversations(login_as, customer):
    agent = factories.make_agent(customer)
    factories.make_conversation(customer, agent)
    db.session.commit()
    client = login_as(customer)
    with counting_queries() as few:
        client.get("/")
    for _ in range(15):
        factories.make_conversation(customer, agent)
    db.session.commit()
    with counting_queries() as many:
        client.get("/")
    assert len(many) == len(few)
    aggregates = [s for s in many if re.search(r"\b(count|sum)\(", s, re.I) and re.search(r"\bFROM session\b", s)]
    assert not aggregates, aggregates  # only the latest five conversations are read from `session`
