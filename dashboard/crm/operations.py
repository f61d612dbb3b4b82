"""Leads, services, matches, interactions, analyses and assignments: the documented JSON shapes, and saving
validated input (checks JSON Schema cannot express: ranges between fields, links, uniqueness)."""
from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from decimal import Decimal

from flask import abort, current_app
from sqlalchemy import Select, func, select

from dashboard.crm.models import (
    AgentAssignment,
    BusinessAnalysis,
    Interaction,
    Lead,
    Service,
    ServiceMatch,
    ServicePrice,
)
from dashboard.crm.schemas import SERVICE_LEVELS
from dashboard.database import utcnow
from dashboard.errors import field_problem, problem
from dashboard.extensions import db
from dashboard.ids import MAX_ID
from dashboard.signals import interaction_created, lead_saved


def iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def parse_time(value: str) -> datetime:
    """An RFC 3339 date-time (already checked by the schema's format) as an aware datetime."""
    return datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))


# ---- JSON shapes --------------------------------------------------------------------------------------
def lead_json(lead: Lead, matches: list[ServiceMatch] | None = None) -> dict:
    """The lead as the API answers it; `matches` (its service matches) are looked up when not given."""
    if matches is None:
        matches = matches_by_lead([lead.lead_id]).get(lead.lead_id, [])
    engagement = {key: value for key, value in (lead.engagement or {}).items() if key == "preferred_contact_time"}
    return {
        "id": f"lead_{lead.lead_id}", "created_at": iso(lead.created_at), "updated_at": iso(lead.updated_at),
        "status": lead.status, "score": lead.score,
        "contact": {"first_name": lead.first_name, "last_name": lead.last_name, "email": lead.email,
                    "phone": lead.phone},
        "preferences": lead.preferences or {},
        "engagement": {"last_contact": iso(lead.last_contact_at), "total_interactions": lead.total_interactions or 0,
                       **engagement},
        "services": [{"service_id": f"service_{m.service_id}", "match_id": f"match_{m.match_id}", "score": m.score,
                      "status": m.status} for m in matches],
    }


def matches_by_lead(lead_ids: list[int]) -> dict[int, list[ServiceMatch]]:
    """The matches of these leads, best first, in one query (a page of leads is shaped without N+1)."""
    found: dict[int, list[ServiceMatch]] = defaultdict(list)
    if lead_ids:
        for match in db.session.scalars(select(ServiceMatch).where(ServiceMatch.lead_id.in_(lead_ids))
                                        .order_by(ServiceMatch.score.desc(), ServiceMatch.match_id)):
            found[match.lead_id].append(match)
    return found


def service_json(service: Service) -> dict:
    return {
        "id": f"service_{service.service_id}", "created_at": iso(service.created_at),
        "updated_at": iso(service.updated_at), "status": service.status, "type": service.type,
        "details": service.details, "location": service.location, "features": service.features,
        "media": service.media,
    }


def match_json(match: ServiceMatch) -> dict:
    # The documented contract calls the lead "customer" (the API's /customers are leads).
    return {
        "id": f"match_{match.match_id}", "customer_id": f"lead_{match.lead_id}",
        "service_id": f"service_{match.service_id}", "created_at": iso(match.created_at),
        "updated_at": iso(match.updated_at), "score": match.score, "match_factors": match.match_factors,
        "status": match.status, "customer_feedback": match.customer_feedback,
    }


def interaction_json(interaction: Interaction) -> dict:
    return {
        "id": f"int_{interaction.interaction_id}", "lead_id": f"lead_{interaction.lead_id}",
        "type": interaction.type, "channel": interaction.channel, "content": interaction.content,
        "sentiment": interaction.sentiment,
        "ai_analysis": {"intent": interaction.intent, "urgency": interaction.urgency},
        "conversation_id": interaction.session_id, "created_at": iso(interaction.created_at),
        "updated_at": iso(interaction.updated_at),
    }


def analysis_json(analysis: BusinessAnalysis) -> dict:
    return {"id": f"analysis_{analysis.analysis_id}", "service_id": f"service_{analysis.service_id}",
            "created_at": iso(analysis.created_at), "business_data": analysis.business_data,
            "predictions": analysis.predictions}


def assignment_json(assignment: AgentAssignment) -> dict:
    return {"id": f"assignment_{assignment.assignment_id}", "customer_id": f"lead_{assignment.lead_id}",
            "agent_id": f"agent_{assignment.agent_id}", "created_at": iso(assignment.created_at),
            "updated_at": iso(assignment.updated_at), "match_score": assignment.match_score,
            "match_factors": assignment.match_factors, "status": assignment.status,
            "performance": assignment.performance}


# ---- Checks JSON Schema cannot express ----------------------------------------------------------------
def range_problems(document) -> list[dict]:
    """min ≤ max in a lead's price range and service level range (values of the wrong type are left to the
    schema's own problems)."""
    problems = []
    preferences = document.get("preferences") if isinstance(document, dict) else None
    if not isinstance(preferences, dict):
        return problems
    prices = preferences.get("price_range")
    if isinstance(prices, dict) and all(isinstance(prices.get(k), int | float) and not isinstance(prices.get(k), bool)
                                        for k in ("min", "max")) and prices["min"] > prices["max"]:
        problems.append(field_problem(("preferences", "price_range", "min"), "must not be more than max"))
    levels = preferences.get("service_level")
    if (isinstance(levels, dict) and levels.get("min") in SERVICE_LEVELS and levels.get("max") in SERVICE_LEVELS
            and SERVICE_LEVELS.index(levels["min"]) > SERVICE_LEVELS.index(levels["max"])):
        problems.append(field_problem(("preferences", "service_level", "min"),
                                      f"must not be above max (levels in order: {', '.join(SERVICE_LEVELS)})"))
    return problems


def link(model, value, path: tuple, problems: list, customer_id: int):
    """The business's row that a body's id names. Another business's row is a 404 (abort); an id that names
    nothing is a field problem (422) added to `problems`, and None is returned."""
    number = int(value) if isinstance(value, int | float) else int(value.rsplit("_", 1)[-1])
    row = db.session.get(model, number) if 0 < number <= MAX_ID else None
    if row is None:
        problems.append(field_problem(path, f"no {model.__tablename__.replace('_', ' ')} has the id {value!r}"))
        return None
    if row.customer_id != customer_id:
        abort(404)
    return row


def duplicate_email(customer_id: int, email: str | None, lead_id: int | None) -> bool:
    if not email:
        return False
    query = select(Lead.lead_id).where(Lead.customer_id == customer_id, Lead.email == email.lower())
    if lead_id is not None:
        query = query.where(Lead.lead_id != lead_id)
    return db.session.scalar(query.limit(1)) is not None


def refuse_duplicate_email(email: str) -> None:
    abort(problem(409, "A lead with this email already exists for this business.",
                  errors=[field_problem(("contact", "email"), f"{email} belongs to another lead")]))


# ---- Saving -------------------------------------------------------------------------------------------
def save_lead(lead: Lead, document: dict, replace: bool = False) -> Lead:
    """Create or change a lead from a validated document, merging objects (the API's PUT) or, with `replace`,
    taking the document as the whole lead (the edit form: a blank field clears); 409 for a taken email."""
    contact = document.get("contact", {})
    if duplicate_email(lead.customer_id, contact.get("email"), lead.lead_id):
        refuse_duplicate_email(contact["email"])
    if replace:
        contact = {field: contact.get(field) for field in ("first_name", "last_name", "email", "phone")}
        document = {"status": "active", "score": 0, **document, "preferences": document.get("preferences", {}),
                    "engagement": document.get("engagement", {})}
        lead.preferences, lead.engagement = {}, {}
    for field in ("first_name", "last_name", "email", "phone"):
        if field in contact:
            value = contact[field]
            setattr(lead, field, value.lower() if field == "email" and value else value)
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


def save_service(service: Service, document: dict, replace: bool = False) -> Service:
    """Create or change a service (objects merged, or with `replace` the form's fields taken whole: details,
    the address part of location and features); its price history gains a row when the price changes."""
    old_price = (service.details or {}).get("price") if service.service_id else None
    if replace:
        coordinates = (service.location or {}).get("coordinates")
        service.details, service.features = {}, []
        service.location = {"coordinates": coordinates} if coordinates else {}
    for field in ("status", "type", "features"):
        if field in document:
            setattr(service, field, document[field])
    for field in ("details", "location", "media"):
        if field in document:
            setattr(service, field, {**(getattr(service, field) or {}), **document[field]})
    service.category = (service.details or {}).get("category")
    service.updated_at = utcnow()
    db.session.add(service)
    db.session.flush()
    price = (service.details or {}).get("price")
    if price is not None and (old_price is None or Decimal(str(price)) != Decimal(str(old_price))):
        db.session.add(ServicePrice(customer_id=service.customer_id, service_id=service.service_id,
                                    price=Decimal(str(price)), changed_at=utcnow()))
        db.session.flush()
    return service


def create_service(customer_id: int, document: dict) -> Service:
    return save_service(Service(customer_id=customer_id, details={}, location={}, features=[], media={}), document)


def update_match(match: ServiceMatch, document: dict) -> ServiceMatch:
    for field, value in document.items():
        setattr(match, field, value)
    match.updated_at = utcnow()
    db.session.flush()
    return match


def save_interaction(interaction: Interaction, document: dict, conversation=None) -> Interaction:
    """Create or change an interaction from a validated document; the lead's engagement follows."""
    for field in ("type", "channel", "content", "sentiment"):
        if field in document:
            setattr(interaction, field, document[field])
    analysis = document.get("ai_analysis") or {}
    for field in ("intent", "urgency"):
        if field in analysis:
            setattr(interaction, field, analysis[field])
    if "created_at" in document:
        interaction.created_at = parse_time(document["created_at"])
    if "conversation_id" in document:
        interaction.session_id = conversation.session_id if conversation is not None else None
    interaction.updated_at = utcnow()
    created = interaction.interaction_id is None
    db.session.add(interaction)
    db.session.flush()
    refresh_engagement(interaction.lead_id)
    if created:
        interaction_created.send(current_app._get_current_object(), interaction_id=interaction.interaction_id)
    return interaction


def delete_interaction(interaction: Interaction) -> None:
    lead_id = interaction.lead_id
    db.session.delete(interaction)
    db.session.flush()
    refresh_engagement(lead_id)


def refresh_engagement(lead_id: int) -> None:
    """A lead's engagement from its interactions, in one aggregate: the latest one's time and how many."""
    last, count = db.session.execute(select(func.max(Interaction.created_at), func.count())
                                     .where(Interaction.lead_id == lead_id)).one()
    lead = db.session.get(Lead, lead_id)
    if lead is not None:
        lead.last_contact_at, lead.total_interactions = last, count
        db.session.flush()


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
