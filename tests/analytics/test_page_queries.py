"""Analytics and the overview send a fixed, small number of statements per request, sign-in included: every
statement is a round trip and SQLAlchemy work on each page view (bench/analytics.py measures the rest)."""
import re

from sqlalchemy import select

from dashboard.auth.models import LoginSession
from dashboard.database import utcnow
from dashboard.extensions import db
from tests import factories
from tests.querycount import counting_queries


def _signed_in_with_conversations(login_as, customer):
    agents = [factories.make_agent(customer, name=f"Agent {i}") for i in range(2)]
    for i in range(6):
        factories.make_conversation(customer, agents[i % 2], channel="voice" if i % 3 else "chat")
    db.session.commit()
    client = login_as(customer)
    client.get("/")  # the sign-in's last-seen time is written at most once a minute: not in the counted requests
    return client


def test_the_analytics_page_reads_the_sign_in_once_and_the_agents_once(login_as, customer):
    client = _signed_in_with_conversations(login_as, customer)
    with counting_queries() as statements:
        assert client.get("/analytics/?days=30").status_code == 200
    # The sign-in (session, member and customer in one statement), the agents (the filter's choices and the
    # comparison's names), then the rollups: figures with the previous period, volume, labels, per agent.
    assert len(statements) == 6, statements
    assert len([s for s in statements if re.search(r"\bFROM agent\b", s)]) == 1
    assert not [s for s in statements if re.search(r"SELECT customer\.time_zone", s)]  # the signed-in row's


def test_the_overview_of_a_customer_with_conversations_skips_the_setup_checklist(login_as, customer):
    client = _signed_in_with_conversations(login_as, customer)
    with counting_queries() as statements:
        assert client.get("/").status_code == 200
    # Sign-in, figures, the contract (once), agents and expired connections (one statement), the latest five,
    # the trend and this billing period's usage.
    assert len(statements) == 7, statements
    assert len([s for s in statements if re.search(r"\bFROM contract\b", s)]) == 1
    assert not [s for s in statements if "EXISTS" in s]  # the checklist's questions


def test_the_sign_in_is_one_statement_and_still_refuses_a_revoked_session(login_as, customer):
    client = _signed_in_with_conversations(login_as, customer)
    with counting_queries() as statements:
        client.get("/settings/")
    sign_in = [s for s in statements if re.search(r"\bFROM login_session\b", s)]
    assert len(sign_in) == 1 and "JOIN member" in sign_in[0] and "JOIN customer" in sign_in[0]
    assert not [s for s in statements if re.search(r"FROM (member|customer)\s+WHERE", s)]
    for login in db.session.scalars(select(LoginSession)):
        login.revoked_at = utcnow()
    db.session.commit()
    assert client.get("/analytics/").status_code == 302  # signed out: sent to the sign-in page
