"""The CallCall.ai models over /api/v1: documented shapes, validation, prefixed ids, scoping."""
import pytest

from dashboard.auth.api_keys import create_api_key
from dashboard.extensions import db
from dashboard.models import Lead, ServiceMatch
from tests import factories


@pytest.fixture
def api(client, customer):
    _, secret = create_api_key(customer, "tests")
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}

    def call(method, path, json=None):
        return client.open(f"/api/v1{path}", method=method, json=json, headers=headers)

    return call


LEAD = {"status": "active", "score": 85,
        "contact": {"first_name": "John", "last_name": "Doe", "email": "John@Example.com", "phone": "+1234567890"},
        "preferences": {"service_types": ["consulting"], "price_range": {"min": 100, "max": 1000},
                        "locations": ["downtown"], "service_level": {"min": "basic", "max": "premium"}},
        "engagement": {"preferred_contact_time": "evening"}}


def test_create_and_read_a_lead_in_the_documented_shape(api):
    created = api("POST", "/customers", LEAD)
    assert created.status_code == 201
    body = created.get_json()
    assert body["id"].startswith("lead_") and created.headers["Location"].endswith(body["id"])
    assert body["contact"]["email"] == "john@example.com"
    assert body["preferences"]["price_range"] == {"min": 100, "max": 1000}
    assert body["created_at"].endswith("Z")
    assert api("GET", f"/customers/{body['id']}").get_json() == body
    assert api("GET", f"/customers/{body['id'].removeprefix('lead_')}").status_code == 200


def test_invalid_lead_is_422_naming_every_problem_and_nothing_saved(api):
    bad = {"score": 150, "contact": {"email": "nope", "phone": "12"}, "colour": "red"}
    response = api("POST", "/customers", bad)
    assert response.status_code == 422
    paths = [error["path"] for error in response.get_json()["errors"]]
    for path in ("/score", "/contact/email", "/contact/phone", ""):  # "" is the body: "colour" is not a field
        assert path in paths
    assert "colour" in " ".join(error["message"] for error in response.get_json()["errors"])
    assert db.session.query(Lead).count() == 0


def test_non_json_body_is_400(api, client):
    response = api("POST", "/customers", None)
    assert response.status_code == 400 and "JSON" in response.get_json()["detail"]


def test_update_merges_and_delete_removes(api, customer):
    lead_id = factories.make_lead(customer).lead_id
    updated = api("PUT", f"/customers/lead_{lead_id}", {"score": 40, "engagement": {"preferred_contact_time": "morning"}})
    assert updated.status_code == 200
    assert updated.get_json()["score"] == 40 and updated.get_json()["contact"]["first_name"] == "John"
    assert api("DELETE", f"/customers/lead_{lead_id}").status_code == 204
    assert api("GET", f"/customers/lead_{lead_id}").status_code == 404


def test_services_and_matches(api, customer):
    created = api("POST", "/services", {"type": "consulting", "details": {"price": 250, "duration": 60},
                                        "location": {"coordinates": {"latitude": 37.7, "longitude": -122.4}},
                                        "features": ["free_consultation"]})
    assert created.status_code == 201 and created.get_json()["id"].startswith("service_")
    assert api("POST", "/services", {"type": "x", "details": {"price": -1}}).status_code == 422
    lead = factories.make_lead(customer)
    service = db.session.get(factories.Service, int(created.get_json()["id"].removeprefix("service_")))
    match = factories.make_match(customer, lead, service)
    db.session.commit()
    response = api("PUT", f"/matches/match_{match.match_id}", {"status": "accepted",
                                                               "customer_feedback": "interested"})
    assert response.status_code == 200
    assert response.get_json()["customer_id"] == f"lead_{lead.lead_id}"
    assert db.session.get(ServiceMatch, match.match_id).status == "accepted"
    assert api("PUT", f"/matches/match_{match.match_id}", {"status": "teleported"}).status_code == 422


def test_other_customers_leads_are_invisible(api, other_customer):
    theirs = factories.make_lead(other_customer)
    db.session.commit()
    assert api("GET", f"/customers/lead_{theirs.lead_id}").status_code == 404
    assert api("GET", "/customers").get_json()["data"] == []


def test_services_page_by_cursor_and_exactly_one_page_has_no_more(api, customer):
    from dashboard.api.crm import PAGE
    made = [factories.make_service(customer).service_id for _ in range(PAGE)]
    db.session.commit()
    one_page = api("GET", "/services").get_json()
    assert len(one_page["data"]) == PAGE and one_page["has_more"] is False and one_page["next_cursor"] is None
    made.append(factories.make_service(customer).service_id)
    db.session.commit()
    first = api("GET", "/services").get_json()
    assert first["has_more"] is True and len(first["data"]) == PAGE
    second = api("GET", f"/services?cursor={first['next_cursor']}").get_json()
    assert second["has_more"] is False and second["next_cursor"] is None
    seen = [item["id"] for item in first["data"] + second["data"]]
    assert seen == [f"service_{i}" for i in sorted(made, reverse=True)]


def test_leads_page_by_next_cursor_and_by_the_older_starting_after(api, customer):
    from dashboard.api.crm import PAGE
    made = sorted((factories.make_lead(customer).lead_id for _ in range(PAGE + 2)), reverse=True)
    db.session.commit()
    first = api("GET", "/customers").get_json()
    assert first["has_more"] is True and [d["id"] for d in first["data"]] == [f"lead_{i}" for i in made[:PAGE]]
    by_cursor = api("GET", f"/customers?cursor={first['next_cursor']}").get_json()
    by_last_id = api("GET", f"/customers?starting_after=lead_{made[PAGE - 1]}").get_json()
    by_bare_id = api("GET", f"/customers?starting_after={made[PAGE - 1]}").get_json()
    assert by_cursor == by_last_id == by_bare_id
    assert [d["id"] for d in by_cursor["data"]] == [f"lead_{i}" for i in made[PAGE:]] and not by_cursor["has_more"]
