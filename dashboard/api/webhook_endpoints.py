"""/api/v1/webhook-endpoints: list (keyset pages), create (secret shown once), read, change (enabled, events),
rotate the secret and delete a business's endpoints."""
from __future__ import annotations

from flask import jsonify, request, url_for

from dashboard.api import bp
from dashboard.api.contract import documented
from dashboard.api.idempotency import idempotent
from dashboard.crm.schemas import list_of
from dashboard.errors import field_problem, refuse_invalid, validated_json
from dashboard.extensions import db
from dashboard.pagination import keyset_page
from dashboard.tenancy import current_customer, get_owned_or_404, scoped
from dashboard.webhooks_out.models import WebhookEndpoint
from dashboard.webhooks_out.operations import (
    EVENTS,
    EndpointRefused,
    checked_events,
    create_endpoint,
    rotate_secret,
    set_enabled,
)

PAGE = 50
ORDER = (WebhookEndpoint.webhook_endpoint_id,)
ENDPOINT_CREATE = {
    "type": "object",
    "additionalProperties": False,
    "required": ["url", "events"],
    "properties": {
        "url": {"type": "string", "minLength": 1, "maxLength": 2000},
        "events": {"type": "array", "minItems": 1, "maxItems": len(EVENTS), "items": {"enum": list(EVENTS)}},
    },
    "examples": [{"url": "https://hooks.example.com/angelcx", "events": ["lead.created", "interaction.created"]}],
}
ENDPOINT_OUT = {
    "type": "object", "required": ["id", "object", "url", "events", "enabled", "disabled_reason", "created_at"],
    "properties": {"id": {"type": "integer"}, "object": {"const": "webhook_endpoint"}, "url": {"type": "string"},
                   "events": {"type": "array", "items": {"enum": list(EVENTS)}}, "enabled": {"type": "boolean"},
                   "disabled_reason": {"type": ["string", "null"]}, "created_at": {"type": "string"}},
}
ENDPOINT_CREATED = {**ENDPOINT_OUT, "required": [*ENDPOINT_OUT["required"], "secret"],
                    "properties": {**ENDPOINT_OUT["properties"],
                                   "secret": {"type": "string", "description": "Shown once"}}}
ENDPOINT_ROTATED = {**ENDPOINT_CREATED,
                    "required": [*ENDPOINT_CREATED["required"], "previous_secret_expires_at"],
                    "properties": {**ENDPOINT_CREATED["properties"],
                                   "previous_secret_expires_at": {"type": "string", "format": "date-time"}}}

ENDPOINT_CHANGE = {
    "type": "object",
    "additionalProperties": False,
    "minProperties": 1,
    "properties": {
        "enabled": {"type": "boolean"},
        "events": ENDPOINT_CREATE["properties"]["events"],
    },
}
NO_STORE = {"Cache-Control": "no-store"}  # an answer carrying a secret


def endpoint_json(endpoint: WebhookEndpoint) -> dict:
    """An endpoint as the API answers it; never its secret."""
    return {"id": endpoint.webhook_endpoint_id, "object": "webhook_endpoint", "url": endpoint.url,
            "events": endpoint.events, "enabled": endpoint.enabled, "disabled_reason": endpoint.disabled_reason,
            "created_at": endpoint.created_at.isoformat()}


@bp.get("/webhook-endpoints")
@documented("List webhook endpoints", "Webhook endpoints", response=list_of(ENDPOINT_OUT),
            query={"cursor": {"type": "string"}})
def list_webhook_endpoints():
    page = keyset_page(scoped(WebhookEndpoint), ORDER, request.args.get("cursor"), PAGE)
    return jsonify(object="list", data=[endpoint_json(endpoint) for endpoint in page.rows],
                   has_more=page.has_more, next_cursor=page.next_cursor)


@bp.post("/webhook-endpoints")
@documented("Register a webhook endpoint (its signing secret is answered once)", "Webhook endpoints", status=201,
            body=ENDPOINT_CREATE, response=ENDPOINT_CREATED)
@idempotent
def create_webhook_endpoint():
    document = validated_json(ENDPOINT_CREATE)
    try:
        endpoint, secret = create_endpoint(current_customer.customer_id, document["url"], document["events"])
    except EndpointRefused as refused:
        db.session.rollback()
        refuse_invalid([field_problem([refused.field], refused.message)])
    db.session.commit()
    location = url_for("api.get_webhook_endpoint", endpoint_id=endpoint.webhook_endpoint_id)
    return jsonify({**endpoint_json(endpoint), "secret": secret}), 201, {"Location": location, **NO_STORE}


@bp.get("/webhook-endpoints/<int:endpoint_id>")
@documented("Get a webhook endpoint", "Webhook endpoints", response=ENDPOINT_OUT)
def get_webhook_endpoint(endpoint_id: int):
    return jsonify(endpoint_json(get_owned_or_404(WebhookEndpoint, endpoint_id)))


@bp.patch("/webhook-endpoints/<int:endpoint_id>")
@documented("Enable or disable a webhook endpoint, or choose its events", "Webhook endpoints",
            body=ENDPOINT_CHANGE, response=ENDPOINT_OUT)
def change_webhook_endpoint(endpoint_id: int):
    """Enable or disable it (enabling starts its failure count afresh), or choose its events."""
    endpoint = get_owned_or_404(WebhookEndpoint, endpoint_id)
    document = validated_json(ENDPOINT_CHANGE)
    if "events" in document:
        endpoint.events = checked_events(document["events"])
    if "enabled" in document:
        set_enabled(endpoint, document["enabled"])
    db.session.commit()
    return jsonify(endpoint_json(endpoint))


@bp.post("/webhook-endpoints/<int:endpoint_id>/rotate-secret")
@documented("Rotate a webhook endpoint's signing secret (the new one is answered once)", "Webhook endpoints",
            response=ENDPOINT_ROTATED)
@idempotent
def rotate_webhook_endpoint_secret(endpoint_id: int):
    """A new secret, answered once; the previous one keeps signing until `previous_secret_expires_at`."""
    endpoint = get_owned_or_404(WebhookEndpoint, endpoint_id)
    secret = rotate_secret(endpoint)
    db.session.commit()
    return jsonify({**endpoint_json(endpoint), "secret": secret,
                    "previous_secret_expires_at": endpoint.previous_secret_expires_at.isoformat()}), 200, NO_STORE


@bp.delete("/webhook-endpoints/<int:endpoint_id>")
@documented("Delete a webhook endpoint", "Webhook endpoints", status=204)
def delete_webhook_endpoint(endpoint_id: int):
    db.session.delete(get_owned_or_404(WebhookEndpoint, endpoint_id))
    db.session.commit()
    return "", 204
