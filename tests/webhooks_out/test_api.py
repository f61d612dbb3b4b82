"""/api/v1/webhook-endpoints: create with the secret shown once, list in pages, read, delete; problems as JSON."""
from __future__ import annotations

from sqlalchemy import func, select

from dashboard.database import utcnow
from dashboard.extensions import db
from dashboard.webhooks_out.delivery import signing_secrets
from dashboard.webhooks_out.models import WebhookEndpoint
from tests import factories


def bearer(customer) -> dict:
    return {"Authorization": f"Bearer {factories.make_api_key(customer)[1]}"}


def test_an_endpoint_created_over_the_api_shows_its_secret_once(client, customer, receiver):
    headers = bearer(customer)
    created = client.post("/api/v1/webhook-endpoints", json={"url": receiver.url, "events": ["lead.created"]},
                          headers=headers)
    assert created.status_code == 201 and created.json["secret"].startswith("whsec_")
    read = client.get(created.headers["Location"], headers=headers)
    assert read.status_code == 200 and read.json["url"] == receiver.url and "secret" not in read.json
    assert client.delete(created.headers["Location"], headers=headers).status_code == 204
    assert client.get(created.headers["Location"], headers=headers).status_code == 404


def test_the_same_idempotency_key_creates_one_endpoint(client, customer, receiver):
    headers = {**bearer(customer), "Idempotency-Key": "hook-1"}
    body = {"url": receiver.url, "events": ["conversation.ended"]}
    first = client.post("/api/v1/webhook-endpoints", json=body, headers=headers)
    again = client.post("/api/v1/webhook-endpoints", json=body, headers=headers)
    assert first.status_code == again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
    assert db.session.scalar(select(func.count()).select_from(WebhookEndpoint)) == 1


def test_the_list_is_paged_with_an_opaque_cursor(client, customer):
    for n in range(3):
        factories.make_webhook_endpoint(customer, url=f"https://hooks{n}.invalid/x")
    headers = bearer(customer)
    first = client.get("/api/v1/webhook-endpoints", headers=headers)
    assert first.status_code == 200 and len(first.json["data"]) == 3 and first.json["has_more"] is False
    refused = client.get("/api/v1/webhook-endpoints?cursor=garbage", headers=headers)
    assert refused.status_code == 400 and refused.content_type == "application/problem+json"


def test_a_private_address_or_unknown_event_is_a_422_problem_naming_the_field(client, customer):
    headers = bearer(customer)
    private = client.post("/api/v1/webhook-endpoints", json={"url": "https://10.0.0.5/x", "events": ["ping"]},
                          headers=headers)
    assert private.status_code == 422 and private.content_type == "application/problem+json"
    unknown = client.post("/api/v1/webhook-endpoints", json={"url": "https://10.0.0.5/x", "events": ["x"]},
                          headers=headers)
    assert unknown.status_code == 422 and unknown.json["errors"][0]["path"] == "/events/0"
    private_url = client.post("/api/v1/webhook-endpoints",
                              json={"url": "https://10.0.0.5/x", "events": ["lead.created"]}, headers=headers)
    assert private_url.json["errors"] == [{"path": "/url", "message": private_url.json["errors"][0]["message"]}]
    assert "private network" in private_url.json["errors"][0]["message"]


def test_another_customers_endpoint_is_404(client, customer, other_customer):
    theirs = factories.make_webhook_endpoint(other_customer)
    headers = bearer(customer)
    path = f"/api/v1/webhook-endpoints/{theirs.webhook_endpoint_id}"
    assert client.get(path, headers=headers).status_code == 404
    assert client.delete(path, headers=headers).status_code == 404
    assert client.get("/api/v1/webhook-endpoints", headers=headers).json["data"] == []


def test_an_event_nothing_sends_cannot_be_subscribed_to(client, customer, receiver):
    answer = client.post("/api/v1/webhook-endpoints", json={"url": receiver.url, "events": ["interaction.deleted"]},
                         headers=bearer(customer))
    assert answer.status_code == 422 and answer.json["errors"][0]["path"] == "/events/0"


def test_an_endpoint_is_disabled_enabled_and_given_other_events_over_the_api(client, customer, other_customer):
    endpoint = factories.make_webhook_endpoint(customer, failing_since=utcnow(),
                                               disabled_reason="Disabled: every delivery failed.")
    endpoint.enabled = False
    headers, path = bearer(customer), f"/api/v1/webhook-endpoints/{endpoint.webhook_endpoint_id}"
    enabled = client.patch(path, json={"enabled": True, "events": ["lead.updated", "lead.created"]}, headers=headers)
    assert enabled.status_code == 200 and enabled.json["enabled"] is True and enabled.json["disabled_reason"] is None
    assert enabled.json["events"] == ["lead.created", "lead.updated"]
    assert client.patch(path, json={"enabled": False}, headers=headers).json["enabled"] is False
    for body, pointer in (({}, ""), ({"events": ["nope"]}, "/events/0"), ({"enabled": "yes"}, "/enabled"),
                          ({"url": "https://example.com"}, "")):
        refused = client.patch(path, json=body, headers=headers)
        assert refused.status_code == 422 and refused.json["errors"][0]["path"] == pointer, body
    theirs = factories.make_webhook_endpoint(other_customer)
    assert client.patch(f"/api/v1/webhook-endpoints/{theirs.webhook_endpoint_id}", json={"enabled": False},
                        headers=headers).status_code == 404


def test_a_secret_rotated_over_the_api_is_answered_once_and_the_old_one_signs_for_a_day(client, customer):
    endpoint = factories.make_webhook_endpoint(customer)
    rotated = client.post(f"/api/v1/webhook-endpoints/{endpoint.webhook_endpoint_id}/rotate-secret",
                          headers=bearer(customer))
    assert rotated.status_code == 200 and rotated.headers["Cache-Control"] == "no-store"
    assert rotated.json["secret"].startswith("whsec_") and rotated.json["previous_secret_expires_at"]
    db.session.expire_all()
    stored = db.session.get(WebhookEndpoint, endpoint.webhook_endpoint_id)
    assert signing_secrets(stored) == [rotated.json["secret"], "whsec_test"]
    assert "secret" not in client.get(f"/api/v1/webhook-endpoints/{endpoint.webhook_endpoint_id}",
                                      headers=bearer(customer)).json
