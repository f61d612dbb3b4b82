"""Figures computed from the business's data, never typed in: interactions from conversations, matches,
business analyses (with the price history) and agent assignments."""
from datetime import UTC, datetime, timedelta

import pytest

from dashboard.crm.from_conversations import urgency
from dashboard.extensions import db
from dashboard.models import ServicePrice
from tests import factories
from tests.emails.test_follow_up_flow import chat_for


@pytest.fixture
def api(client, customer):
    _, secret = factories.make_api_key(customer)
    headers = {"Authorization": f"Bearer {secret}"}

    def call(method, path, json=None):
        response = client.open(f"/api/v1{path}", method=method, json=json, headers=headers)
        assert response.status_code < 300, response.get_data(as_text=True)
        return response.get_json()

    return call


def test_a_chat_from_a_leads_email_is_an_interaction_with_its_analysis_and_the_engagement_follows(api, customer):
    agent = factories.make_agent(customer)
    db.session.commit()
    lead = api("POST", "/customers", {"contact": {"first_name": "Ava", "email": "AVA@example.net"}})
    chat = api("POST", "/conversations", chat_for(agent))  # the visitor's email is the lead's; analysed inline
    [interaction] = api("GET", f"/customers/{lead['id']}/interactions")["data"]
    assert interaction["conversation_id"] == chat["conversation_id"]
    assert (interaction["type"], interaction["channel"]) == ("message", "chat")
    assert interaction["sentiment"] in ("positive", "neutral", "negative") and interaction["ai_analysis"]["intent"]
    assert interaction["ai_analysis"]["urgency"] == "medium"  # a booking or pricing intent asks for action
    engagement = api("GET", f"/customers/{lead['id']}")["engagement"]
    assert engagement["total_interactions"] == 1 and engagement["last_contact"] == interaction["created_at"]
    assert api("GET", f"/customers/{lead['id']}/interactions?channel=voice")["data"] == []
    # A visitor who is nobody's lead leaves no interaction.
    other = chat_for(agent) | {"visitor": {"name": "Bo", "email": "bo@example.net"}}
    api("POST", "/conversations", other)
    assert api("GET", f"/customers/{lead['id']}")["engagement"]["total_interactions"] == 1


def test_an_agent_set_to_create_leads_turns_a_visitor_with_contact_details_into_a_lead(api, customer):
    agent = factories.make_agent(customer, creates_leads=True)
    quiet = factories.make_agent(customer, name="Quiet")
    db.session.commit()
    api("POST", "/conversations", chat_for(quiet) | {"visitor": {"name": "Bo", "email": "bo@example.net"}})
    assert api("GET", "/customers")["data"] == []  # its agent does not create leads
    api("POST", "/conversations", chat_for(agent))
    [lead] = api("GET", "/customers")["data"]
    assert lead["contact"] == {"first_name": "Ava", "last_name": "Nguyen", "email": "ava@example.net", "phone": None}
    assert lead["engagement"]["total_interactions"] == 1
    api("POST", "/conversations", chat_for(agent))  # the same visitor again: the same lead
    assert [lead["engagement"]["total_interactions"] for lead in api("GET", "/customers")["data"]] == [2]


def test_the_urgency_rule():
    assert urgency("complaint", -0.3) == "high" and urgency("opening_hours", -0.7) == "high"
    assert urgency("opening_hours", -0.3) == "medium" and urgency("book_appointment", 0.5) == "medium"
    assert urgency("opening_hours", 0.1) == "low" and urgency(None, None) == "low"


def test_find_matches_scores_active_services_and_keeps_status_and_feedback(api, customer):
    lead = api("POST", "/customers", {"contact": {"email": "a@example.com"}, "preferences": {
        "service_types": ["consulting"], "price_range": {"min": 100, "max": 300}, "locations": ["Oakland"],
        "service_level": {"min": "standard", "max": "premium"}}})
    best = api("POST", "/services", {"type": "Consulting", "location": {"city": "Oakland"},
                                     "details": {"price": 250, "service_level": "premium"}})
    half = api("POST", "/services", {"type": "consulting", "details": {"price": 900, "service_level": "basic"},
                                     "location": {"address": "1 Main St, oakland"}})
    api("POST", "/services", {"type": "support", "details": {"price": 5000}})  # meets nothing: no match
    api("POST", "/services", {"type": "consulting", "status": "archived", "details": {"price": 200}})  # inactive
    found = api("POST", f"/customers/{lead['id']}/matches")["data"]
    assert [(m["service_id"], m["score"], m["match_factors"]) for m in found] == [
        (best["id"], 100, ["service_type", "price_range", "location", "service_level"]),
        (half["id"], 60, ["service_type", "location"])]  # (40 + 20) / 100
    api("PUT", f"/matches/{found[1]['id']}", {"status": "accepted", "customer_feedback": "maybe"})
    api("PUT", f"/services/{half['id']}", {"details": {"price": 150}})
    again = {m["id"]: m for m in api("POST", f"/customers/{lead['id']}/matches")["data"]}
    assert again[found[1]["id"]]["score"] == 90 and again[found[1]["id"]]["status"] == "accepted"
    assert again[found[1]["id"]]["customer_feedback"] == "maybe" and len(again) == 2


def test_business_analysis_from_comparables_price_history_and_matches(api, customer):
    service = api("POST", "/services", {"type": "cleaning", "details": {"price": 100, "category": "home"}})
    empty = api("POST", f"/services/{service['id']}/analysis")
    assert empty["business_data"] == {"median_price": None, "price_trend": "+0%", "days_on_market": 0,
                                      "comparable_services": []}
    assert empty["predictions"] == {"estimated_value": None, "booking_rate": None, "conversion_probability": None}
    # Listed 100 days ago at 80; the price 90 days ago was 80, now 100: +25%.
    number = int(service["id"].removeprefix("service_"))
    long_ago = datetime.now(UTC) - timedelta(days=100)
    db.session.execute(ServicePrice.__table__.update().where(ServicePrice.service_id == number)
                       .values(changed_at=datetime.now(UTC) - timedelta(days=1)))
    db.session.add(ServicePrice(customer_id=customer.customer_id, service_id=number, price=80, changed_at=long_ago))
    db.session.execute(factories.Service.__table__.update().where(factories.Service.service_id == number)
                       .values(created_at=long_ago))
    db.session.commit()
    comparables = [api("POST", "/services", {"type": "cleaning", "details": {"price": p, "category": "home"}})["id"]
                   for p in (90, 130)]
    api("POST", "/services", {"type": "cleaning", "details": {"price": 999, "category": "office"}})  # not comparable
    leads = [api("POST", "/customers", {"contact": {"email": f"l{i}@example.com"}})["id"] for i in range(4)]
    for lead, status in zip(leads, ("booked", "rejected", "presented", "presented"), strict=True):
        api("POST", "/matches", {"customer_id": lead, "service_id": service["id"], "status": status})
    analysis = api("POST", f"/services/{service['id']}/analysis")
    assert analysis["business_data"] == {"median_price": 110, "price_trend": "+25%", "days_on_market": 100,
                                         "comparable_services": comparables}
    # estimated value: median(100, 90, 130) = 100, moved by +25%; booked 1 of 4 presented; 1 of 2 answered.
    assert analysis["predictions"] == {"estimated_value": 125, "booking_rate": "25%", "conversion_probability": 0.5}
    assert [a["id"] for a in api("GET", f"/services/{service['id']}/analysis")["data"]] == [analysis["id"], empty["id"]]


def test_an_assignment_is_scored_and_its_performance_comes_from_the_leads_conversations(api, customer):
    agent, idle = factories.make_agent(customer), factories.make_agent(customer, name="Night Desk")
    db.session.commit()
    lead = api("POST", "/customers", {"contact": {"email": "ava@example.net"}})
    api("POST", "/conversations", chat_for(agent))  # the agent answers 10 s after the visitor's first message
    assigned = api("POST", "/assignments", {"customer_id": lead["id"], "agent_id": f"agent_{agent.agent_id}"})
    assert assigned["match_factors"] == ["history", "satisfaction", "availability"]
    assert assigned["performance"]["response_time"] == "10s"
    assert 1 <= assigned["performance"]["satisfaction_score"] <= 5
    assert 70 <= assigned["match_score"] <= 100  # 40 history + 0–30 satisfaction + 30 availability
    moved = api("PUT", f"/assignments/{assigned['id']}", {"agent_id": idle.agent_id})
    assert moved["match_factors"] == ["availability"] and moved["match_score"] == 30
    assert moved["performance"] == {"response_time": None, "satisfaction_score": None}
