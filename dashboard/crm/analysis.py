"""A service's business analysis, computed from the business's own data (the README's "How figures are computed").

- comparable_services: the business's other active services of the same type and category.
- median_price: the median price of those comparables; null without comparables.
- price_trend: the change of this service's price over the last 90 days, from its price history: the price now
  against the price in force 90 days ago (or when it was listed, if later), as "+5%"/"-3%"/"+0%".
- days_on_market: whole days since the service was listed (created).
- booking_rate: this service's matches booked ÷ matches presented (all of its matches), as "3.5%"; null without
  matches.
- conversion_probability: booked ÷ matches that got an answer (accepted, rejected or booked); null without any.
- estimated_value: the median price of this service and its comparables, moved by this service's price trend;
  null without comparables.
"""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from statistics import median

from sqlalchemy import case, func, select

from dashboard.crm.models import BusinessAnalysis, Service, ServiceMatch, ServicePrice
from dashboard.database import utcnow
from dashboard.extensions import db

TREND_DAYS = 90


def _price(service: Service) -> float | None:
    value = (service.details or {}).get("price")
    return float(value) if value is not None else None


def _percent(value: float, signed: bool) -> str:
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return f"+{text}%" if signed and value >= 0 else f"{text}%"


def price_trend(service: Service, now) -> float | None:
    """The fractional change of the service's price over the last 90 days; None without a price history."""
    since = now - timedelta(days=TREND_DAYS)
    history = select(ServicePrice.price).where(ServicePrice.service_id == service.service_id)
    before = db.session.scalar(history.where(ServicePrice.changed_at <= since)
                               .order_by(ServicePrice.changed_at.desc(), ServicePrice.service_price_id.desc()).limit(1))
    if before is None:  # listed within the window: compare with the first price it had
        before = db.session.scalar(history.order_by(ServicePrice.changed_at, ServicePrice.service_price_id).limit(1))
    current = _price(service)
    if before is None or current is None or Decimal(before) == 0:
        return None
    return (current - float(before)) / float(before)


def analyse(service: Service) -> BusinessAnalysis:
    """A new analysis row for `service` (flushed, not committed)."""
    now = utcnow()
    comparables = db.session.scalars(select(Service).where(
        Service.customer_id == service.customer_id, Service.service_id != service.service_id,
        Service.status == "active", Service.type == service.type,
        Service.category.is_(None) if service.category is None else Service.category == service.category,
    ).order_by(Service.service_id)).all()
    prices = [p for p in (_price(c) for c in comparables) if p is not None]
    trend = price_trend(service, now)
    total, booked, answered = db.session.execute(select(
        func.count(),
        func.coalesce(func.sum(case((ServiceMatch.status == "booked", 1), else_=0)), 0),
        func.coalesce(func.sum(case((ServiceMatch.status.in_(("accepted", "rejected", "booked")), 1), else_=0)), 0),
    ).where(ServiceMatch.service_id == service.service_id)).one()
    own = _price(service)
    everyone = prices + ([own] if own is not None else [])
    estimated = None
    if prices and everyone:
        estimated = round(median(everyone) * (1 + (trend or 0)), 2)
    analysis = BusinessAnalysis(
        customer_id=service.customer_id, service_id=service.service_id,
        business_data={
            "median_price": round(median(prices), 2) if prices else None,
            "price_trend": _percent(trend * 100, signed=True) if trend is not None else None,
            "days_on_market": max(0, (now - service.created_at).days),
            "comparable_services": [f"service_{c.service_id}" for c in comparables],
        },
        predictions={
            "estimated_value": estimated,
            "booking_rate": _percent(100 * booked / total, signed=False) if total else None,
            "conversion_probability": round(booked / answered, 4) if answered else None,
        },
    )
    db.session.add(analysis)
    db.session.flush()
    return analysis
