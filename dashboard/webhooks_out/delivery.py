"""The delivery job: one signed POST through the SSRF-safe client, each attempt logged, retried for up to 3 days."""
from __future__ import annotations

import json
import logging
import time
from datetime import timedelta

from cryptography.fernet import InvalidToken
from flask import current_app
from sqlalchemy import and_, or_, select, update

from dashboard import safe_http
from dashboard.auth.models import Customer
from dashboard.database import utcnow
from dashboard.emails import mail_gateway
from dashboard.extensions import db
from dashboard.jobs import Retry, backoff, current_attempt, defer
from dashboard.webhooks_out import signing
from dashboard.webhooks_out.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint

log = logging.getLogger(__name__)
EXCERPT_BYTES = 1024
# A delivery "sending" for longer than this lost its job (the worker died mid-POST): another job may take it.
# Comfortably past one attempt's longest (5 s to connect, 10 s to answer).
SEND_LEASE = timedelta(seconds=120)


def retry_window() -> timedelta:
    return timedelta(hours=current_app.config["WEBHOOK_RETRY_HOURS"])


def signing_secrets(endpoint: WebhookEndpoint) -> list[str]:
    """The current secret, then the previous one while its 24 hours last."""
    secrets = [signing.decrypt(endpoint.secret_encrypted)]
    if endpoint.previous_secret_encrypted and endpoint.previous_secret_expires_at \
            and endpoint.previous_secret_expires_at > utcnow():
        secrets.append(signing.decrypt(endpoint.previous_secret_encrypted))
    return secrets


def _post(url: str, secrets: list[str], payload: dict) -> tuple[int | None, int, str, str | None]:
    """(status or None, latency ms, first KB of the answer, why nothing answered) of one attempt."""
    body = json.dumps(payload, separators=(",", ":")).encode()
    headers = {"Content-Type": "application/json", "User-Agent": "AngelCX-Webhooks/1",
               signing.SIGNATURE_HEADER: signing.signature_header(secrets, body)}
    started = time.monotonic()
    try:
        response = safe_http.request("POST", url, headers=headers, body=body, max_bytes=EXCERPT_BYTES)
    except safe_http.UnsafeURL as error:  # refused (a private address), unreachable, or no answer in time
        return None, round((time.monotonic() - started) * 1000), "", error.message[:500]
    return response.status, response.elapsed_ms, response.text[:EXCERPT_BYTES], None


def _claim(delivery_id: int) -> str:
    """Make the delivery ours to send ("claimed"); "busy" while another job sends it, "done" when nothing is left.

    A conditional UPDATE, so of two jobs for one event (a resend racing a retry) only one posts at a time.
    """
    now = utcnow()
    table = WebhookDelivery
    claimed = db.session.execute(update(table).where(
        table.webhook_delivery_id == delivery_id,
        or_(table.status.in_(("pending", "retrying")),
            and_(table.status == "sending", table.updated_at < now - SEND_LEASE)),  # its sender died
    ).values(status="sending", updated_at=now)).rowcount
    status = None if claimed else db.session.scalar(select(table.status).where(table.webhook_delivery_id == delivery_id))
    db.session.commit()
    return "claimed" if claimed else "busy" if status == "sending" else "done"


def deliver(delivery_id: int) -> None:
    """A job: send the delivery; log the attempt; on a failure raise Retry until the 3-day window closes."""
    claim = _claim(delivery_id)
    if claim == "busy":  # another job is posting it: look again once that one must have finished
        raise Retry("another job is sending this delivery", at=utcnow() + SEND_LEASE)
    if claim == "done":
        return
    try:
        _send(delivery_id)
    except Retry:
        raise
    except Exception as error:  # not sent (e.g. a secret that no longer decrypts): free it for the job's retry
        db.session.rollback()
        reason = "its signing secret cannot be read (the encryption key changed): rotate the secret" \
            if isinstance(error, InvalidToken) else f"an error here ({type(error).__name__})"
        db.session.execute(update(WebhookDelivery).where(
            WebhookDelivery.webhook_delivery_id == delivery_id, WebhookDelivery.status == "sending",
        ).values(status="retrying", response_excerpt=f"Not sent: {reason}.", updated_at=utcnow()))
        db.session.commit()
        raise


def _send(delivery_id: int) -> None:
    delivery = db.session.get(WebhookDelivery, delivery_id)
    endpoint = delivery.endpoint
    if not endpoint.enabled:
        delivery.status, delivery.response_excerpt, delivery.next_attempt_at = "failed", "The endpoint is disabled.", None
        db.session.commit()
        return
    url, secrets, payload = endpoint.url, signing_secrets(endpoint), dict(delivery.payload)
    db.session.commit()  # no transaction stays open while the receiver answers (nothing is read until it has)
    attempted_at = utcnow()
    status, latency, excerpt, error = _post(url, secrets, payload)
    succeeded = status is not None and 200 <= status < 300
    db.session.add(WebhookAttempt(webhook_delivery_id=delivery_id, attempted_at=attempted_at, response_status=status,
                                  error=error, latency_ms=latency, response_excerpt=excerpt, succeeded=succeeded))
    now = utcnow()
    delivery.attempts += 1
    delivery.response_status, delivery.latency_ms, delivery.response_excerpt = status, latency, error or excerpt
    if succeeded:
        delivery.status, delivery.next_attempt_at = "succeeded", None
        endpoint.failing_since = None
        db.session.commit()
        return
    endpoint.failing_since = endpoint.failing_since or now
    if now - endpoint.failing_since >= retry_window():
        _disable(endpoint, now)
    attempt, most = current_attempt()
    if not endpoint.enabled or now - delivery.created_at >= retry_window() or attempt >= most:
        delivery.status, delivery.next_attempt_at = "failed", None
        db.session.commit()
        return
    delivery.status, delivery.next_attempt_at = "retrying", now + backoff(attempt)
    db.session.commit()
    log.warning("Webhook delivery %s (attempt %d) failed with %s", delivery_id, attempt, status or "no answer")
    raise Retry(f"answered {status}" if status else "no answer", at=delivery.next_attempt_at)


def _disable(endpoint: WebhookEndpoint, now) -> None:
    endpoint.enabled = False
    endpoint.disabled_reason = (f"Disabled on {now:%Y-%m-%d %H:%M} UTC: every delivery failed for "
                                f"{current_app.config['WEBHOOK_RETRY_HOURS']} hours.")
    defer(send_disabled_notice, endpoint.webhook_endpoint_id)


def send_disabled_notice(endpoint_id: int) -> None:
    """A job: tell the business by email that its endpoint was disabled."""
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        return
    customer = db.session.get(Customer, endpoint.customer_id)
    email = mail_gateway.OutgoingEmail(
        recipient=customer.email, subject="A webhook endpoint was disabled",
        body=f"Every delivery to {endpoint.url} failed for {current_app.config['WEBHOOK_RETRY_HOURS']} hours, "
             "so AngelCX stopped sending to it. Fix the endpoint, then enable it again in Settings → Webhooks.")
    db.session.commit()
    try:
        mail_gateway.send(email)
    except mail_gateway.MailError as error:
        raise error.for_the_job() from None
