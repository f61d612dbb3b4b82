"""`Idempotency-Key` on the API's POSTs, with Stripe's semantics: a retried request gets the first answer again."""
from __future__ import annotations

import hashlib
import logging
from datetime import timedelta
from functools import wraps

from flask import Response, make_response, request
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from dashboard.api.auth import api_customer
from dashboard.api.models import IdempotencyKey
from dashboard.database import utcnow
from dashboard.errors import problem
from dashboard.extensions import db

log = logging.getLogger(__name__)
HEADER = "Idempotency-Key"
KEPT = timedelta(hours=24)
# A key whose first request never finished (its process died) is free again after this long.
ABANDONED = timedelta(minutes=5)
REPLAYED_HEADERS = ("Content-Type", "Location")


def idempotent(view):
    """Run `view` once per (customer, Idempotency-Key); later requests with that key get its answer replayed.

    Same key and body: the first response (status, body, content type) with `Idempotent-Replayed: true`.
    Same key, another body: 422. The first request still running: 409. A response that is an error
    (a 4xx raised before anything was stored, or any 5xx) is not kept, so the client may try again.
    """

    @wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return view(*args, **kwargs)
        if not (0 < len(key) <= 255 and key.isascii() and key.isprintable()):
            return problem(400, f"{HEADER} must be 1 to 255 printable ASCII characters.")
        customer_id = api_customer().customer_id
        fingerprint = hashlib.sha256(b"\n".join([request.method.encode(), request.path.encode(),
                                                 request.get_data()])).hexdigest()
        record, reserved = _reserve(customer_id, key, fingerprint)
        if not reserved:
            return _answer_for(record, fingerprint)
        try:
            response = make_response(view(*args, **kwargs))
        except BaseException:
            _release(record.idempotency_key_id)
            raise
        if response.status_code >= 500:
            _release(record.idempotency_key_id)
        else:
            _keep(record.idempotency_key_id, response)
        return response

    return wrapper


def _reserve(customer_id: int, key: str, fingerprint: str) -> tuple[IdempotencyKey, bool]:
    """The key's row, and whether this request just took it (committed, so a concurrent retry sees it)."""
    now = utcnow()
    db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.customer_id == customer_id,
                                                    IdempotencyKey.created_at < now - KEPT))
    record = IdempotencyKey(customer_id=customer_id, key=key, request_hash=fingerprint, created_at=now)
    db.session.add(record)
    try:
        db.session.commit()
        return record, True
    except IntegrityError:
        db.session.rollback()
    existing = db.session.scalars(select(IdempotencyKey).where(
        IdempotencyKey.customer_id == customer_id, IdempotencyKey.key == key)).one()
    if existing.status_code is None and existing.request_hash == fingerprint and existing.created_at < now - ABANDONED:
        taken = db.session.execute(update(IdempotencyKey).where(
            IdempotencyKey.idempotency_key_id == existing.idempotency_key_id, IdempotencyKey.status_code.is_(None),
            IdempotencyKey.created_at < now - ABANDONED).values(created_at=now)).rowcount
        db.session.commit()
        return existing, bool(taken)
    return existing, False


def _answer_for(record: IdempotencyKey, fingerprint: str) -> Response:
    if record.request_hash != fingerprint:
        return problem(422, f"This {HEADER} was used with another request; use a new key for a new request.")
    if record.status_code is None:
        return problem(409, f"A request with this {HEADER} is still being processed; try again shortly.",
                       headers={"Retry-After": "1"})
    response = Response(record.response_body, status=record.status_code, headers=record.response_headers or {})
    response.headers["Idempotent-Replayed"] = "true"
    return response


def _keep(record_id: int, response: Response) -> None:
    """Store the answer for replays. If that fails the answer still goes out: the change is committed, and an
    error now would make the client retry it (the key stays in flight, so a retry gets a 409, not a copy)."""
    headers = {name: response.headers[name] for name in REPLAYED_HEADERS if name in response.headers}
    try:
        db.session.rollback()  # nothing of the view's is pending: it committed what it stored
        db.session.execute(update(IdempotencyKey).where(IdempotencyKey.idempotency_key_id == record_id).values(
            status_code=response.status_code, response_body=response.get_data(), response_headers=headers))
        db.session.commit()
    except SQLAlchemyError as error:
        db.session.rollback()
        log.warning("The answer for idempotency key %s could not be stored (%s)", record_id, type(error).__name__)


def _release(record_id: int) -> None:
    """Free the key: nothing was kept for it, so a retry runs the request again."""
    try:
        db.session.rollback()
        db.session.execute(delete(IdempotencyKey).where(IdempotencyKey.idempotency_key_id == record_id))
        db.session.commit()
    except SQLAlchemyError:  # the database is down: the key frees itself after ABANDONED
        db.session.rollback()
