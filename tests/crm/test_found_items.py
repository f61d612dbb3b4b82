"""Issue 12's "Found" list: what the documented API accepted, lacked or answered wrongly, each as a client sees it."""
import pytest

from dashboard.extensions import db
from dashboard.models import Lead, Service, ServiceMatch
from tests import factories


@pytest.fixture
def api(client, customer):
    _, secret = factories.make_api_key(customer)
    headers = {"Authorization": f"Bearer {secret}"}

    def call(method, path, json=None):
        return client.open(f"/api/v1{path}", method=method, json=json, headers=headers)

    return call


def paths(response):
    assert response.status_code == 422, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    return {error["path"] for error in response.get_json()["errors"]}


def test_invalid_values_that_were_accepted_are_422_all_at_once(api):
    response = api("POST", "/customers", {"contact": {"email": "a@example.com"},
                                          "preferences": {"price_range": {"min": 1000, "max": 100}},
                                          "engagement": {"last_contact": "yesterday", "total_interactions": 15}})
    assert paths(response) == {"/preferences/price_range/min", "/engagement"}  # derived fields cannot be typed in
    lead = api("POST", "/customers", {"contact": {"email": "a@example.com"}}).get_json()
    assert paths(api("POST", f"/customers/{lead['id']}/interactions",
                     {"type": "note", "channel": "email", "content": "x", "created_at": "yesterday"})) == {"/created_at"}
    media = {"photos": [1, 2], "video_demo": "javascript:alert(1)"}
    assert paths(api("POST", "/services", {"type": "x", "details": {"price": 1}, "media": media})) == {
        "/media/photos/0", "/media/photos/1", "/media/video_demo"}
    assert db.session.query(Service).count() == 0


def test_a_second_lead_with_the_same_email_is_409(api):
    assert api("POST", "/customers", {"contact": {"email": "Ann@Example.com"}}).status_code == 201
    again = api("POST", "/customers", {"contact": {"email": "ann@example.COM"}})
    assert again.status_code == 409 and again.get_json()["errors"][0]["path"] == "/contact/email"
    other = api("POST", "/customers", {"contact": {"email": "bob@example.com"}}).get_json()
    assert api("PUT", f"/customers/{other['id']}", {"contact": {"email": "ann@example.com"}}).status_code == 409
    assert db.session.query(Lead).count() == 2


def test_services_update_delete_and_filter_by_type(api, customer):
    consulting = api("POST", "/services", {"type": "consulting", "details": {"price": 100}}).get_json()
    api("POST", "/services", {"type": "support", "details": {"price": 50}})
    changed = api("PUT", f"/services/{consulting['id']}", {"details": {"price": 120}, "features": ["reporting"]})
    assert changed.status_code == 200
    assert changed.get_json()["details"] == {"price": 120} and changed.get_json()["features"] == ["reporting"]
    listed = api("GET", "/services?type=support").get_json()
    assert [s["type"] for s in listed["data"]] == ["support"] and listed["next_cursor"] is None
    assert paths(api("GET", "/services?status=gone")) == {"/status"}
    assert api("DELETE", f"/services/{consulting['id']}").status_code == 204
    assert api("GET", f"/services/{consulting['id']}").status_code == 404


def test_matches_are_created_listed_deleted_and_shown_on_the_lead(api, customer, other_customer):
    lead = api("POST", "/customers", {"contact": {"email": "a@example.com"},
                                      "preferences": {"price_range": {"min": 50, "max": 150}}}).get_json()
    service = api("POST", "/services", {"type": "consulting", "details": {"price": 100}}).get_json()
    created = api("POST", "/matches", {"customer_id": lead["id"], "service_id": service["id"]})
    assert created.status_code == 201, created.get_data(as_text=True)
    match = created.get_json()
    assert match["score"] == 100 and match["match_factors"] == ["price_range"]
    assert api("POST", "/matches", {"customer_id": lead["id"], "service_id": service["id"]}).status_code == 409
    assert api("GET", f"/customers/{lead['id']}").get_json()["services"] == [
        {"service_id": service["id"], "match_id": match["id"], "score": 100, "status": "presented"}]
    assert [m["id"] for m in api("GET", f"/matches?customer_id={lead['id']}").get_json()["data"]] == [match["id"]]
    # Relationship integrity: an id that names nothing is a 422, another business's is a 404.
    assert paths(api("POST", "/matches", {"customer_id": "lead_999999", "service_id": service["id"]})) == {
        "/customer_id"}
    theirs = factories.make_service(other_customer)
    db.session.commit()
    assert api("POST", "/matches", {"customer_id": lead["id"],
                                    "service_id": f"service_{theirs.service_id}"}).status_code == 404
    assert api("DELETE", f"/matches/{match['id']}").status_code == 204
    assert db.session.query(ServiceMatch).count() == 0


def test_a_bad_status_filter_on_leads_is_422(api):
    assert paths(api("GET", "/customers?status=gone")) == {"/status"}


def test_conversation_422_lists_every_problem_at_once(api, customer):
    agent = factories.make_agent(customer)
    db.session.commit()
    body = {"agent_id": agent.agent_id, "colour": "red", "messages": [
        {"role": "visitor", "content": "hi", "timestamp": "soon"},
        {"role": "agent", "content": "hello", "timestamp": "later"},
        {"role": "agent", "content": "x", "timestamp": "2026-01-02T00:00:00Z"},
        {"role": "agent", "content": "y", "timestamp": "2026-01-01T00:00:00Z"}]}
    assert paths(api("POST", "/conversations", body)) == {"", "/messages/0/timestamp", "/messages/1/timestamp",
                                                          "/messages/3/timestamp"}


def test_engagement_is_derived_from_interactions(api):
    lead = api("POST", "/customers", {"contact": {"email": "a@example.com"}}).get_json()
    assert lead["engagement"] == {"last_contact": None, "total_interactions": 0}
    for when in ("2026-01-01T10:00:00Z", "2026-02-01T10:00:00+01:00"):
        made = api("POST", f"/customers/{lead['id']}/interactions",
                   {"type": "call", "channel": "phone", "content": "Called back", "created_at": when})
        assert made.status_code == 201, made.get_data(as_text=True)
    engagement = api("GET", f"/customers/{lead['id']}").get_json()["engagement"]
    assert engagement == {"last_contact": "2026-02-01T09:00:00Z", "total_interactions": 2}
    assert paths(api("PUT", f"/customers/{lead['id']}", {"engagement": {"total_interactions": 9}})) == {"/engagement"}
    assert api("DELETE", f"/interactions/{made.get_json()['id']}").status_code == 204
    assert api("GET", f"/customers/{lead['id']}").get_json()["engagement"]["total_interactions"] == 1
