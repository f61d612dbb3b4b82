"""The Leads and Services pages: create, edit, delete, CSV import with its report, a lead's page (interactions
timeline linking to transcripts, matches, assignment) and a service's analysis; checked by the API's own rules."""
from dashboard.extensions import db
from dashboard.models import AgentAssignment, Interaction, Lead, Service
from tests import factories
from tests.querycount import counting_queries


def csrf(client, url):
    import re

    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', client.get(url).get_data(as_text=True)).group(1)


def test_create_edit_and_delete_a_lead_with_problems_beside_their_fields(login_as, customer):
    client = login_as(customer)
    token = csrf(client, "/leads/new")
    bad = client.post("/leads/new", data={"csrf_token": token, "first_name": "Ann", "email": "not-an-email",
                                          "price_min": "500", "price_max": "100", "score": "lots", "status": "active"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 422 and "must not be more than max" in html and "must be a whole number" in html
    assert "must be an email address" in html and db.session.query(Lead).count() == 0
    made = client.post("/leads/new", data={"csrf_token": token, "first_name": "Ann", "email": "Ann@Example.com",
                                           "service_types": "consulting, support", "price_min": "100",
                                           "price_max": "500", "status": "active", "score": "70"})
    assert made.status_code == 303
    lead = db.session.scalars(db.select(Lead)).one()
    assert lead.email == "ann@example.com" and lead.preferences["service_types"] == ["consulting", "support"]
    page = client.get(made.headers["Location"]).get_data(as_text=True)
    assert "Ann" in page and "consulting, support" in page and "No interactions yet" in page
    dup = client.post("/leads/new", data={"csrf_token": token, "first_name": "Other", "email": "ann@example.com",
                                          "status": "active"})
    assert dup.status_code == 422 and "another lead already has this email" in dup.get_data(as_text=True)
    edited = client.post(f"/leads/{lead.lead_id}/edit", data={"csrf_token": token, "first_name": "Ann", "email": "",
                                                               "status": "inactive", "score": "10"})
    assert edited.status_code == 303
    db.session.refresh(lead)
    assert lead.email is None and lead.status == "inactive" and lead.preferences == {}  # blank fields clear
    assert client.post(f"/leads/{lead.lead_id}/delete", data={"csrf_token": token}).status_code == 303
    assert db.session.query(Lead).count() == 0


def test_csv_import_saves_valid_rows_and_reports_each_refused_one(login_as, customer):
    factories.make_lead(customer, email="taken@example.com")
    db.session.commit()
    client = login_as(customer)
    token = csrf(client, "/leads/import")
    rows = ("first_name,email,phone,price_min,price_max,service_types,colour\n"
            'Ann,ann@example.com,+14155550123,100,500,"consulting, support",red\n'
            "Bob,bob@,12,,,,\n"
            "Cy,taken@example.com,,,,,\n"
            "Di,di@example.com,,900,100,,\n")
    import io

    answer = client.post("/leads/import", data={"csrf_token": token, "file": (io.BytesIO(rows.encode()), "leads.csv")},
                         content_type="multipart/form-data")
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200 and "1 imported · 3 refused" in html and "Ignored columns: colour" in html
    assert "email: " in html and "phone: " in html and "another lead already has this email" in html
    assert "price_min: must not be more than max" in html
    emails = set(db.session.scalars(db.select(Lead.email)))
    assert emails == {"taken@example.com", "ann@example.com"}


def test_the_lead_page_shows_its_timeline_matches_and_assignment_in_constant_queries(login_as, customer):
    agent = factories.make_agent(customer, name="Front Desk")
    lead = factories.make_lead(customer, preferences={"service_types": ["consulting"]})
    conversation = factories.make_conversation(customer, agent)
    factories.make_interaction(customer, lead, session_id=conversation.session_id, type="message", channel="chat",
                               sentiment="positive", intent="book_appointment", urgency="medium")
    factories.make_service(customer)
    db.session.commit()
    client = login_as(customer)
    token = csrf(client, f"/leads/{lead.lead_id}")
    assert client.post(f"/leads/{lead.lead_id}/matches", data={"csrf_token": token}).status_code == 303
    assert client.post(f"/leads/{lead.lead_id}/assignment", data={"csrf_token": token,
                                                                   "agent_id": agent.agent_id}).status_code == 303
    assert db.session.scalars(db.select(AgentAssignment)).one().agent_id == agent.agent_id
    with counting_queries() as few:
        html = client.get(f"/leads/{lead.lead_id}").get_data(as_text=True)
    assert f"/conversations/{conversation.session_id}" in html and "book appointment" in html
    assert "Front Desk" in html and "service_type" in html and "consulting" in html
    for _ in range(5):
        factories.make_interaction(customer, lead)
        factories.make_match(customer, lead, factories.make_service(customer))
    db.session.commit()
    with counting_queries() as many:
        client.get(f"/leads/{lead.lead_id}")
    assert len(many) == len(few)
    assert db.session.query(Interaction).count() == 6


def test_services_are_created_edited_and_analysed_on_their_pages(login_as, customer):
    client = login_as(customer)
    token = csrf(client, "/leads/services/new")
    bad = client.post("/leads/services/new", data={"csrf_token": token, "type": "", "price": "-1", "status": "active"})
    assert bad.status_code == 422 and db.session.query(Service).count() == 0
    made = client.post("/leads/services/new", data={"csrf_token": token, "type": "cleaning", "price": "100",
                                                    "category": "home", "status": "active", "features": "eco, fast"})
    assert made.status_code == 303
    service = db.session.scalars(db.select(Service)).one()
    assert service.details == {"price": 100.0, "category": "home"} and service.features == ["eco", "fast"]
    assert client.post(made.headers["Location"], data={"csrf_token": token, "type": "cleaning", "price": "120",
                                                       "category": "home", "status": "active"}).status_code == 303
    assert client.post(f"/leads/services/{service.service_id}/analysis", data={"csrf_token": token}).status_code == 303
    html = client.get(made.headers["Location"]).get_data(as_text=True)
    assert "Price trend (90 days)" in html and "+20%" in html
    assert "cleaning" in client.get("/leads/services/").get_data(as_text=True)
