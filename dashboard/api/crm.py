"""/api/v1/customers (leads), /services and /matches: the CallCall.ai data models over JSON."""
from __future__ import annotations

from flask import Response, jsonify, request, url_for
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from dashboard.api import bp
from dashboard.api.contract import documented
from dashboard.api.idempotency import idempotent
from dashboard.crm import schemas
from dashboard.crm.matching import match_lead
from dashboard.crm.matching import score as match_score
from dashboard.crm.models import Lead, Service, ServiceMatch
from dashboard.crm.operations import (
    LEAD_ORDER,
    create_service,
    lead_json,
    leads_with_match_counts,
    link,
    match_json,
    matches_by_lead,
    range_problems,
    refuse_duplicate_email,
    save_lead,
    save_service,
    service_json,
    update_match,
)
from dashboard.errors import problem, refuse_invalid, request_json, schema_problems, validated_args, validated_json
from dashboard.extensions import db
from dashboard.ids import MAX_ID
from dashboard.pagination import InvalidCursor, KeysetPage, encode_cursor, keyset_page
from dashboard.tenancy import current_customer, get_owned_or_404, scoped

PAGE = 50
SERVICE_ORDER = (Service.service_id,)
MATCH_ORDER = (ServiceMatch.match_id,)
CURSOR = {"type": "string", "pattern": "^[A-Za-z0-9_-]{0,256}$",
          "description": "The next_cursor of the page before (a cursor this list did not issue is a 400)"}


def starting_after(prefix: str) -> dict:
    return {"type": "string", "examples": [f"{prefix}_12"],
            "description": "The id of the last row seen, the older form of cursor (not an id: a 400)"}


def id_filter(prefix: str) -> dict:
    return {"type": "string", "pattern": f"^({prefix}_)?[0-9]{{1,10}}$"}


def filters(query: dict) -> dict:
    """The query arguments that filter a list, validated (422); the cursor is checked by the pagination (400)."""
    return validated_args({name: schema for name, schema in query.items() if name not in ("cursor", "starting_after")})


def filter_id(value: str | None) -> int | None:
    """A validated id filter's number (0 when it is too large to name a row: nothing matches)."""
    if value is None:
        return None
    number = int(value.rsplit("_", 1)[-1])
    return number if number <= MAX_ID else 0


def page_cursor(prefix: str) -> str | None:
    """Where a list starts: `cursor` (the opaque `next_cursor` of the page before) or, as the API first
    documented, `starting_after=<prefix>_N` (or a bare N): the id of the last row seen."""
    if request.args.get("cursor"):
        return request.args["cursor"]
    last_seen = request.args.get("starting_after")
    if not last_seen:
        return None
    number = last_seen.removeprefix(f"{prefix}_")
    if not (number.isascii() and number.isdigit() and len(number) <= 10 and int(number) <= MAX_ID):
        raise InvalidCursor(f"starting_after must be an id such as {prefix}_12.")
    return encode_cursor([int(number)])


def list_response(page: KeysetPage, data: list) -> Response:
    """A list as the API answers it; `next_cursor` (null on the last page) is the `cursor` of the next one."""
    return jsonify(object="list", data=data, has_more=page.has_more, next_cursor=page.next_cursor)


def leads_json(leads: list[Lead]) -> list[dict]:
    matches = matches_by_lead([lead.lead_id for lead in leads])
    return [lead_json(lead, matches.get(lead.lead_id, [])) for lead in leads]


def lead_document(schema: dict) -> dict:
    document = request_json()
    refuse_invalid(schema_problems(schema, document) + range_problems(document))
    return document


def saved_lead(lead: Lead, document: dict) -> Lead:
    try:
        save_lead(lead, document)
        db.session.commit()
    except IntegrityError:  # a concurrent request took the email first
        db.session.rollback()
        refuse_duplicate_email(document["contact"]["email"])
    return lead


# ---- Leads ("customers") ------------------------------------------------------------------------------
LEAD_QUERY = {"q": {"type": "string", "maxLength": 100, "description": "Part of the name or email"},
              "status": {"enum": schemas.STATUSES}, "cursor": CURSOR, "starting_after": starting_after("lead")}


@bp.get("/customers")
@documented("List leads", "Customers (leads)", response=schemas.list_of(schemas.LEAD_OUT), query=LEAD_QUERY)
def list_leads():
    args = filters(LEAD_QUERY)
    query = leads_with_match_counts(current_customer.customer_id, args.get("q"), args.get("status"))
    page = keyset_page(query, LEAD_ORDER, page_cursor("lead"), PAGE)
    return list_response(page, leads_json([lead for lead, _ in page.rows]))


@bp.post("/customers")
@documented("Create a lead", "Customers (leads)", status=201, body=schemas.LEAD_CREATE, response=schemas.LEAD_OUT,
            conflict=True, description="One lead per email per business: a second one is a 409.")
@idempotent
def create_lead():
    document = lead_document(schemas.LEAD_CREATE)
    lead = saved_lead(Lead(customer_id=current_customer.customer_id, preferences={}, engagement={}), document)
    return jsonify(lead_json(lead)), 201, {"Location": url_for("api.get_lead", lead_id=lead.lead_id)}


@bp.get("/customers/<lead:lead_id>")
@documented("Get a lead", "Customers (leads)", response=schemas.LEAD_OUT)
def get_lead(lead_id: int):
    return jsonify(lead_json(get_owned_or_404(Lead, lead_id)))


@bp.put("/customers/<lead:lead_id>")
@documented("Update a lead (objects are merged)", "Customers (leads)", body=schemas.LEAD, response=schemas.LEAD_OUT,
            conflict=True)
def update_lead(lead_id: int):
    lead = get_owned_or_404(Lead, lead_id)
    saved_lead(lead, lead_document(schemas.LEAD))
    return jsonify(lead_json(lead))


@bp.delete("/customers/<lead:lead_id>")
@documented("Delete a lead (its matches, interactions and assignment with it)", "Customers (leads)", status=204)
def delete_lead(lead_id: int):
    lead = get_owned_or_404(Lead, lead_id)
    db.session.delete(lead)
    db.session.commit()
    return "", 204


@bp.post("/customers/<lead:lead_id>/matches")
@documented("Find matches: score the business's active services for this lead", "Matches",
            response=schemas.list_of(schemas.MATCH_OUT),
            description="Scores every active service against the lead's preferences (README: How figures are "
                        "computed). Existing matches keep their status and feedback. Best first.")
@idempotent
def find_matches(lead_id: int):
    matches = match_lead(get_owned_or_404(Lead, lead_id))
    db.session.commit()
    return jsonify(object="list", data=[match_json(m) for m in matches], has_more=False, next_cursor=None)


# ---- Services -----------------------------------------------------------------------------------------
SERVICE_QUERY = {"type": {"type": "string", "minLength": 1, "maxLength": 64}, "status": {"enum": schemas.STATUSES},
                 "category": {"type": "string", "minLength": 1, "maxLength": 64}, "cursor": CURSOR,
                 "starting_after": starting_after("service")}


@bp.get("/services")
@documented("List services", "Services", response=schemas.list_of(schemas.SERVICE_OUT), query=SERVICE_QUERY)
def list_services():
    args = filters(SERVICE_QUERY)
    query = scoped(Service)
    for name, column in (("type", Service.type), ("status", Service.status), ("category", Service.category)):
        if name in args:
            query = query.where(column == args[name])
    page = keyset_page(query, SERVICE_ORDER, page_cursor("service"), PAGE)
    return list_response(page, [service_json(service) for service in page.rows])


@bp.post("/services")
@documented("Create a service", "Services", status=201, body=schemas.SERVICE, response=schemas.SERVICE_OUT)
@idempotent
def create_service_route():
    service = create_service(current_customer.customer_id, validated_json(schemas.SERVICE))
    db.session.commit()
    return jsonify(service_json(service)), 201, {"Location": url_for("api.get_service", service_id=service.service_id)}


@bp.get("/services/<service:service_id>")
@documented("Get a service", "Services", response=schemas.SERVICE_OUT)
def get_service(service_id: int):
    return jsonify(service_json(get_owned_or_404(Service, service_id)))


@bp.put("/services/<service:service_id>")
@documented("Update a service (objects are merged; a price change enters its price history)", "Services",
            body=schemas.SERVICE_UPDATE, response=schemas.SERVICE_OUT)
def update_service(service_id: int):
    service = get_owned_or_404(Service, service_id)
    save_service(service, validated_json(schemas.SERVICE_UPDATE))
    db.session.commit()
    return jsonify(service_json(service))


@bp.delete("/services/<service:service_id>")
@documented("Delete a service (its matches, analyses and price history with it)", "Services", status=204)
def delete_service(service_id: int):
    db.session.delete(get_owned_or_404(Service, service_id))
    db.session.commit()
    return "", 204


# ---- Matches ------------------------------------------------------------------------------------------
MATCH_QUERY = {"customer_id": id_filter("lead"), "service_id": id_filter("service"),
               "status": {"enum": schemas.MATCH_STATUSES}, "cursor": CURSOR}


@bp.get("/matches")
@documented("List matches", "Matches", response=schemas.list_of(schemas.MATCH_OUT), query=MATCH_QUERY)
def list_matches():
    args = filters(MATCH_QUERY)
    query = scoped(ServiceMatch)
    if "customer_id" in args:
        query = query.where(ServiceMatch.lead_id == filter_id(args["customer_id"]))
    if "service_id" in args:
        query = query.where(ServiceMatch.service_id == filter_id(args["service_id"]))
    if "status" in args:
        query = query.where(ServiceMatch.status == args["status"])
    page = keyset_page(query, MATCH_ORDER, request.args.get("cursor"), PAGE)
    return list_response(page, [match_json(match) for match in page.rows])


@bp.post("/matches")
@documented("Create a match (its score is computed)", "Matches", status=201, body=schemas.MATCH_CREATE,
            response=schemas.MATCH_OUT, conflict=True,
            description="A lead or service of another business is a 404; an id that names nothing is a 422; "
                        "a pair already matched is a 409.")
@idempotent
def create_match():
    document = validated_json(schemas.MATCH_CREATE)
    problems: list = []
    customer_id = current_customer.customer_id
    lead = link(Lead, document["customer_id"], ("customer_id",), problems, customer_id)
    service = link(Service, document["service_id"], ("service_id",), problems, customer_id)
    refuse_invalid(problems)
    if db.session.scalar(select(ServiceMatch.match_id).where(ServiceMatch.lead_id == lead.lead_id,
                                                             ServiceMatch.service_id == service.service_id)):
        return problem(409, "This lead is already matched to this service; update that match instead.")
    points, factors = match_score(lead.preferences or {}, service)
    match = ServiceMatch(customer_id=customer_id, lead_id=lead.lead_id, service_id=service.service_id,
                         score=points, match_factors=factors, status=document.get("status", "presented"),
                         customer_feedback=document.get("customer_feedback"))
    db.session.add(match)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return problem(409, "This lead is already matched to this service; update that match instead.")
    return jsonify(match_json(match)), 201, {"Location": url_for("api.get_match", match_id=match.match_id)}


@bp.get("/matches/<match:match_id>")
@documented("Get a match", "Matches", response=schemas.MATCH_OUT)
def get_match(match_id: int):
    return jsonify(match_json(get_owned_or_404(ServiceMatch, match_id)))


@bp.put("/matches/<match:match_id>")
@documented("Update a match", "Matches", body=schemas.MATCH_UPDATE, response=schemas.MATCH_OUT)
def update_match_route(match_id: int):
    match = get_owned_or_404(ServiceMatch, match_id)
    update_match(match, validated_json(schemas.MATCH_UPDATE))
    db.session.commit()
    return jsonify(match_json(match))


@bp.delete("/matches/<match:match_id>")
@documented("Delete a match", "Matches", status=204)
def delete_match(match_id: int):
    db.session.delete(get_owned_or_404(ServiceMatch, match_id))
    db.session.commit()
    return "", 204
