"""Endpoints (add, rotate, enable, delete) and events (recorded as deliveries with a job each, in the caller's transaction)."""
from __future__ import annotations

import secrets as random_ids
from datetime import timedelta
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import func, select, update

from dashboard import safe_http
from dashboard.database import utcnow
from dashboard.extensions import db
from dashboard.jobs import defer
from dashboard.webhooks_out import signing
from dashboard.webhooks_out.delivery import deliver
from dashboard.webhooks_out.models import WebhookDelivery, WebhookEndpoint

API_VERSION = "2026-11-27"
# Only events something sends: interaction.created joins when interactions exist (issue 12), so nobody
# subscribes to an event that never comes.
EVENTS = ("conversation.started", "conversation.ended", "conversation.analyzed", "email.sent", "email.failed",
          "lead.created", "lead.updated", "interaction.created", "contract.updated")
ROTATION_OVERLAP = timedelta(hours=24)
# Enough tries to span the retry window at the job system's capped backoff; the window ends them first.
DELIVERY_MAX_ATTEMPTS = 200


class EndpointRefused(ValueError):
    """The endpoint cannot be saved; `field` and `message` say why, for people."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field, self.message = field, message


def checked_url(url: str) -> str:
    """The URL when it is https (plain http only for SAFE_HTTP_ALLOWED_HOSTS, in tests) and public; else refused."""
    url = (url or "").strip()
    if not url or len(url) > 2000:
        raise EndpointRefused("url", "Enter the https:// URL of your server (at most 2000 characters).")
    host = (urlsplit(url).hostname or "").lower()
    if urlsplit(url).scheme != "https" and host not in safe_http.allowed_hosts():
        raise EndpointRefused("url", "Only https:// URLs can receive webhooks.")
    try:
        safe_http.check_url(url)
    except safe_http.UnsafeURL as refused:
        raise EndpointRefused("url", refused.message) from None
    return url


def checked_events(events: list) -> list[str]:
    if not events or not isinstance(events, list) or any(event not in EVENTS for event in events):
        raise EndpointRefused("events", "Choose at least one event from the list.")
    return sorted(set(events))


def create_endpoint(customer_id: int, url: str, events: list) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its secret (returned once, stored encrypted); refused past the business's cap."""
    url, events = checked_url(url), checked_events(events)
    count = db.session.scalar(select(func.count()).select_from(WebhookEndpoint)
                              .where(WebhookEndpoint.customer_id == customer_id))
    cap = current_app.config["WEBHOOK_ENDPOINTS_MAX"]
    if count >= cap:
        raise EndpointRefused("url", f"A business can have at most {cap} webhook endpoints; delete one first.")
    secret = signing.new_secret()
    endpoint = WebhookEndpoint(customer_id=customer_id, url=url, events=events, enabled=True,
                               secret_encrypted=signing.encrypt(secret), created_at=utcnow())
    db.session.add(endpoint)
    db.session.flush()
    return endpoint, secret


def rotate_secret(endpoint: WebhookEndpoint) -> str:
    """A new secret; the old one keeps signing (a second v1) for 24 hours."""
    secret = signing.new_secret()
    endpoint.previous_secret_encrypted = endpoint.secret_encrypted
    endpoint.previous_secret_expires_at = utcnow() + ROTATION_OVERLAP
    endpoint.secret_encrypted = signing.encrypt(secret)
    return secret


def set_enabled(endpoint: WebhookEndpoint, enabled: bool) -> None:
    endpoint.enabled = enabled
    if enabled:
        endpoint.failing_since, endpoint.disabled_reason = None, None


def event_payload(event_type: str, obj: dict, event_id: str | None = None) -> dict:
    return {"id": event_id or f"evt_{random_ids.token_hex(12)}", "object": "event", "type": event_type,
            "created": int(utcnow().timestamp()), "api_version": API_VERSION, "data": {"object": obj}}


def queue_delivery(endpoint: WebhookEndpoint, payload: dict) -> WebhookDelivery:
    """A delivery row and its job, in the caller's transaction."""
    delivery = WebhookDelivery(webhook_endpoint_id=endpoint.webhook_endpoint_id, event_id=payload["id"],
                               event_type=payload["type"], payload=payload, attempts=0, status="pending")
    db.session.add(delivery)
    db.session.flush()
    defer(deliver, delivery.webhook_delivery_id, max_attempts=DELIVERY_MAX_ATTEMPTS)
    return delivery


def record_event(customer_id: int, event_type: str, obj: dict) -> int:
    """One event for every enabled endpoint of the business subscribed to it; how many deliveries were queued."""
    payload = event_payload(event_type, obj)
    endpoints = db.session.scalars(select(WebhookEndpoint).where(
        WebhookEndpoint.customer_id == customer_id, WebhookEndpoint.enabled.is_(True))).all()
    subscribed = [endpoint for endpoint in endpoints if event_type in endpoint.events]
    for endpoint in subscribed:
        queue_delivery(endpoint, payload)
    return len(subscribed)


def send_ping(endpoint: WebhookEndpoint) -> WebhookDelivery:
    return queue_delivery(endpoint, event_payload("ping", {"webhook_endpoint_id": endpoint.webhook_endpoint_id}))


def resend(delivery: WebhookDelivery) -> bool:
    """The same event (same id, so the receiver can deduplicate) delivered again, its attempts added to its log.

    Only a finished delivery (succeeded or failed) is sent again; False while it is still being delivered.
    A conditional UPDATE, so two resends at once queue one job.
    """
    reopened = db.session.execute(update(WebhookDelivery).where(
        WebhookDelivery.webhook_delivery_id == delivery.webhook_delivery_id,
        WebhookDelivery.status.in_(("succeeded", "failed"))).values(status="pending", next_attempt_at=None,
                                                                   updated_at=utcnow())).rowcount
    if reopened:
        defer(deliver, delivery.webhook_delivery_id, max_attempts=DELIVERY_MAX_ATTEMPTS)
    return bool(reopened)
