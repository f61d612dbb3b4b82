"""An endpoint's delivery log: its events newest first in keyset pages, each with its latest attempts (one query)."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from dashboard.extensions import db
from dashboard.pagination import keyset_page
from dashboard.webhooks_out.models import WebhookAttempt, WebhookDelivery

PAGE_SIZE = 20
ATTEMPTS_SHOWN = 10  # an event retried for 3 days has ~80 attempts: the log shows the latest ones
ORDER = (WebhookDelivery.created_at, WebhookDelivery.webhook_delivery_id)
IN_FLIGHT = ("pending", "sending")  # the page asks again every second until these are settled


@dataclass(frozen=True)
class LogPage:
    deliveries: list[WebhookDelivery]
    attempts: dict[int, list[WebhookAttempt]]  # delivery id → its latest attempts, oldest first
    next_cursor: str | None


def log_page(endpoint_id: int, cursor: str | None = None, limit: int = PAGE_SIZE) -> LogPage:
    """One page of the endpoint's events (InvalidCursor for a cursor this list did not issue)."""
    page = keyset_page(select(WebhookDelivery).where(WebhookDelivery.webhook_endpoint_id == endpoint_id), ORDER,
                       cursor, limit)
    return LogPage(page.rows, attempts_of([delivery.webhook_delivery_id for delivery in page.rows]), page.next_cursor)


def one_delivery(endpoint_id: int, delivery_id: int) -> LogPage | None:
    """The log entry of one event of this endpoint, or None when the endpoint has no such delivery."""
    delivery = db.session.scalar(select(WebhookDelivery).where(
        WebhookDelivery.webhook_delivery_id == delivery_id, WebhookDelivery.webhook_endpoint_id == endpoint_id))
    if delivery is None:
        return None
    return LogPage([delivery], attempts_of([delivery_id]), None)


def attempts_of(delivery_ids: list[int]) -> dict[int, list[WebhookAttempt]]:
    """The latest ATTEMPTS_SHOWN attempts of each delivery, in one query (numbered per delivery in SQL)."""
    if not delivery_ids:
        return {}
    numbered = select(WebhookAttempt, func.row_number().over(
        partition_by=WebhookAttempt.webhook_delivery_id,
        order_by=WebhookAttempt.webhook_attempt_id.desc()).label("newest")
    ).where(WebhookAttempt.webhook_delivery_id.in_(delivery_ids)).subquery()
    attempt = aliased(WebhookAttempt, numbered)
    rows = db.session.scalars(select(attempt).where(numbered.c.newest <= ATTEMPTS_SHOWN)
                              .order_by(attempt.webhook_delivery_id, attempt.webhook_attempt_id))
    found: dict[int, list[WebhookAttempt]] = {delivery_id: [] for delivery_id in delivery_ids}
    for row in rows:
        found[row.webhook_delivery_id].append(row)
    return found
