"""Every API error is one shape: application/problem+json with type, title, status, detail and errors."""
import pytest

from dashboard.auth.api_keys import create_api_key
from dashboard.extensions import db
from tests import factories


@pytest.fixture
def api(client, customer):
    _, secret = create_api_key(customer, "tests")
    db.session.commit()
    headers = {"Authorization": f"Bearer {secret}"}

    def call(method, path, json=None, **kwargs):
        return client.open(f"/api/v1{path}", method=method, json=json, headers=headers, **kwargs)

    return call


def assert_problem(response, status: int) -> dict:
    assert response.status_code == status
    assert response.headers["Content-Type"] == "application/problem+json"
    body = response.get_json()
    assert body["type"] == "about:blank" and body["status"] == status
    assert body["title"] and body["detail"]
    return body


def test_a_request_without_an_api_key_is_a_401_problem(client):
    response = client.get("/api/v1/customers")
    body = assert_problem(response, 401)
    assert body["title"] == "Unauthorized" and "API key" in body["detail"]
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_another_customers_id_is_a_404_problem(api, other_customer):
    lead = factories.make_lead(other_customer)
    db.session.commit()
    assert_problem(api("GET", f"/customers/lead_{lead.lead_id}"), 404)


def test_an_invalid_body_is_a_422_problem_listing_every_field(api):
    bad = {"score": 150, "contact": {"email": "nope", "phone": "12"}, "preferences": {"price_range": {"min": -1}}}
    body = assert_problem(api("POST", "/customers", bad), 422)
    assert {error["path"] for error in body["errors"]} == {
        "/score", "/contact/email", "/contact/phone", "/preferences/price_range/min"}
    assert all(error["message"] for error in body["errors"])


def test_a_chat_with_several_problems_lists_each_by_json_pointer(api, customer):
    agent = factories.make_agent(customer)
    db.session.commit()
    chat = {"agent_id": agent.agent_id, "messages": [
        {"role": "visitor", "content": "Hi", "timestamp": "2026-05-01T09:00:00"},
        {"role": "system", "content": "", "timestamp": "2026-05-01T09:01:00Z"}]}
    body = assert_problem(api("POST", "/conversations", chat), 422)
    paths = [error["path"] for error in body["errors"]]
    assert "/messages/1/role" in paths and "/messages/1/content" in paths


def test_a_wrong_method_is_a_405_problem_with_allow(api):
    response = api("PATCH", "/customers")
    assert_problem(response, 405)
    assert "GET" in response.headers["Allow"] and "POST" in response.headers["Allow"]


@pytest.mark.parametrize("query", ["cursor=%C2%B2", "cursor=bm90IGpzb24", "starting_after=lead_x",
                                   "starting_after=lead_%C2%B2", "starting_after=99999999999999999999"])
def test_a_bad_cursor_is_a_400_problem(api, query):
    body = assert_problem(api("GET", f"/customers?{query}"), 400)
    assert "first page" in body["detail"]


def test_a_cursor_with_a_nul_is_refused_by_the_input_guard(api):
    body = assert_problem(api("GET", "/customers?cursor=%00"), 400)
    assert body["detail"] == "The query argument 'cursor' has a NUL character."


def test_a_body_that_is_not_json_is_a_400_problem(api):
    assert "JSON" in assert_problem(api("POST", "/services", data="price=1"), 400)["detail"]


def test_webhook_and_widget_errors_are_problems_too(client):
    assert_problem(client.post("/webhooks/ultravox", data=b"{}"), 503)  # no secret configured
    assert_problem(client.get("/webhooks/stripe"), 405)
    response = client.get("/widget/not-a-token/nothing")
    assert response.status_code == 404 and response.headers["Content-Type"] == "application/problem+json"
