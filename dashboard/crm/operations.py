"""Leads, services and matches: serialising to the documented shapes, and saving validated input."""
from __future__ import annotations

from flask import current_app
from sqlalchemy import Select, func, select

from dashboard.crm.models import Lead, Service, ServiceMatch
from dashboard.database import utcnow
from dashboard.extensions import db
from dashboard.signals import lead_saved


def _time(value) -> str:
    return value.isoformat().replace("+00:00", "Z")


def lead_json(lead: Lead) -> dict:
    return {
        "id": f"lead_{lead.lead_id}", "created_at": _time(lead.created_at), "updated_at": _time(lead.updated_at),
        "status": lead.status, "score": lead.score,
        "contact": {"first_name": lead.first_name, "last_name": lead.last_name, "email": lead.email,
                    "phone": lead.phone},
        "preferences": lead.preferences, "engagement": lead.engagement,
    }


def service_json(service: Service) -> dict:
    return {
        "id": f"service_{service.service_id}", "created_at": _time(service.created_at),
        "updated_at": _time(service.updated_at), "status": service.status, "type": service.type,
        "details": service.details, "location": service.location, "features": service.features,
        "media": service.media,
    }


def match_json(match: ServiceMatch) -> dict:
    # The documented contract calls the lead "customer" (the API's /customers are leads).
    return {
        "id": f"match_{match.match_id}", "customer_id": f"lead_{match.lead_id}",
        "service_id": f"service_{match.service_id}", "created_at": _time(match.created_at),
        "score": match.score, "match_factors": match.match_factors, "status": match.status,
        "customer_feedback": match.customer_feedback,
    }


def save_lead(lead: Lead, document: dict) -> Lead:
    contact = document.get("contact", {})
    for field in ("first_name", "last_name", "email", "phone"):
        if field in contact:
            setattr(lead, field, contact[field].lower() if field == "email" else contact[field])
    for field in ("status", "score"):
        if field in document:
            setattr(lead, field, document[field])
    for field in ("preferences", "engagement"):
        if field in document:
            setattr(lead, field, {**(getattr(lead, field) or {}), **document[field]})
    lead.updated_at = utcnow()
    created = lead.lead_id is None
    db.session.add(lead)
    db.session.flush()
    lead_saved.send(current_app._get_current_object(), lead_id=lead.lead_id, created=created)
    return lead


def create_service(customer_id: int, document: dict) -> Service:
    service = Service(customer_id=customer_id, status=document.get("status", "active"), type=document["type"],
                      details=document["details"], location=document.get("location", {}),
                      features=document.get("features", []), media=document.get("media", {}))
    db.session.add(service)
    db.session.flush()
    return service


def update_match(match: ServiceMatch, document: dict) -> ServiceMatch:
    for field, value in document.items():
        setattr(match, field, value)
    match.updated_at = utcnow()
    db.session.flush()
    return match


LEAD_ORDER = (Lead.lead_id,)  # newest first: the keyset every list of leads pages by


def leads_with_match_counts(customer_id: int, q: str | None, status: str | None) -> Select:
    """The customer's leads (filtered) with how many services each is matched to, in one query.

    Page it with dashboard.pagination.keyset_page(query, LEAD_ORDER, ...).
    """
    matches = (select(ServiceMatch.lead_id, func.count().label("n")).where(ServiceMatch.customer_id == customer_id)
               .group_by(ServiceMatch.lead_id).subquery())
    query = (select(Lead, func.coalesce(matches.c.n, 0)).outerjoin(matches, matches.c.lead_id == Lead.lead_id)
             .where(Lead.customer_id == customer_id))
    if q:
        like = f"%{q.lower()}%"
        query = query.where(func.lower(Lead.first_name + " " + func.coalesce(Lead.last_name, "")).like(like)
                            | func.lower(Lead.email).like(like))
    if status:
        query = query.where(Lead.status == status)
    return query
