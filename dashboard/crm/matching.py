"""Service matches computed from a lead's preferences (the README's "How figures are computed").

Each criterion the lead stated earns its weight when the service meets it: service type 40, price range 30,
location 20, service level 10. score = round(100 × earned ÷ the weights of the criteria stated), so 0–100;
`match_factors` names the criteria met. A lead that stated nothing gets no matches.
"""
from __future__ import annotations

from sqlalchemy import select

from dashboard.crm.models import Lead, Service, ServiceMatch
from dashboard.crm.schemas import SERVICE_LEVELS
from dashboard.database import utcnow
from dashboard.extensions import db

WEIGHTS = {"service_type": 40, "price_range": 30, "location": 20, "service_level": 10}


def _within(value, low, high, order=None) -> bool:
    if value is None:
        return False
    key = order.index if order else (lambda v: v)
    return (low is None or key(low) <= key(value)) and (high is None or key(value) <= key(high))


def score(preferences: dict, service: Service) -> tuple[int, list[str]]:
    """(score 0–100, the criteria met) of `service` for a lead with these preferences."""
    details, location = service.details or {}, service.location or {}
    stated, met = [], []
    types = [t.lower() for t in preferences.get("service_types") or []]
    if types:
        stated.append("service_type")
        if (service.type or "").lower() in types:
            met.append("service_type")
    prices = preferences.get("price_range") or {}
    if prices:
        stated.append("price_range")
        if _within(details.get("price"), prices.get("min"), prices.get("max")):
            met.append("price_range")
    places = [p.lower() for p in preferences.get("locations") or []]
    if places:
        stated.append("location")
        exact = {str(location.get(k, "")).lower() for k in ("city", "state", "zip")} - {""}
        address = str(location.get("address", "")).lower()
        if any(place in exact or (address and place in address) for place in places):
            met.append("location")
    levels = preferences.get("service_level") or {}
    if levels:
        stated.append("service_level")
        level = details.get("service_level")
        if level in SERVICE_LEVELS and _within(level, levels.get("min"), levels.get("max"), SERVICE_LEVELS):
            met.append("service_level")
    if not stated:
        return 0, []
    earned = sum(WEIGHTS[name] for name in met)
    return round(100 * earned / sum(WEIGHTS[name] for name in stated)), met


def match_lead(lead: Lead) -> list[ServiceMatch]:
    """Score the business's active services for `lead`: new matches for those scoring above 0, and fresh
    scores for existing matches (which keep their status and feedback). Best first."""
    services = db.session.scalars(select(Service).where(Service.customer_id == lead.customer_id,
                                                        Service.status == "active")).all()
    existing = {m.service_id: m for m in db.session.scalars(select(ServiceMatch).where(
        ServiceMatch.lead_id == lead.lead_id))}
    now = utcnow()
    for service in services:
        points, factors = score(lead.preferences or {}, service)
        match = existing.get(service.service_id)
        if match is None and points > 0:
            match = ServiceMatch(customer_id=lead.customer_id, lead_id=lead.lead_id, service_id=service.service_id,
                                 status="presented")
            db.session.add(match)
            existing[service.service_id] = match
        if match is not None:
            match.score, match.match_factors, match.updated_at = points, factors, now
    db.session.flush()
    return sorted(existing.values(), key=lambda m: (-m.score, m.match_id))
