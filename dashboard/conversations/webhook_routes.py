"""POST /webhooks/ultravox: signed call events from Ultravox (public; the signature is the authentication)."""
from __future__ import annotations

import json
import logging

from flask import Blueprint, current_app, jsonify, request

from dashboard import metrics
from dashboard.auth import audit
from dashboard.auth.guard import public
from dashboard.conversations import ultravox_webhook
from dashboard.conversations.ultravox_gateway import UltravoxError
from dashboard.database import utcnow
from dashboard.errors import problem
from dashboard.extensions import csrf, db

log = logging.getLogger(__name__)
webhooks = Blueprint("ultravox_webhooks", __name__)


@webhooks.post("/webhooks/ultravox")
@csrf.exempt
@public
@metrics.counts_webhook("ultravox")
def ultravox():
    audit.acting_as("ultravox", "Ultravox")
    secret = current_app.config.get("ULTRAVOX_WEBHOOK_SECRET")
    if not secret:
        return problem(503, "Ultravox webhooks are not configured (set ULTRAVOX_WEBHOOK_SECRET).")
    body = request.get_data()
    if not ultravox_webhook.signature_is_valid(
        secret, body, request.headers.get("X-Ultravox-Webhook-Timestamp", ""),
        request.headers.get("X-Ultravox-Webhook-Signature", ""), utcnow(),
    ):
        return problem(401, "The signature or timestamp is not valid.")
    try:
        event = json.loads(body)
    except ValueError:
        return problem(400, "The body is not JSON.")
    try:
        outcome = ultravox_webhook.handle(event)
    except ultravox_webhook.IgnoredEvent as ignored:
        return jsonify(result="ignored", reason=str(ignored)), 200
    except UltravoxError as error:
        db.session.rollback()
        log.warning("Ultravox webhook for %s not applied: %s", event.get("event"), error.message)
        # Non-2xx makes Ultravox deliver it again later.
        return problem(502, "Ultravox could not be read; retry later.")
    return jsonify(result=outcome), 200
