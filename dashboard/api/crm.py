"""/api/v1/customers (leads), /services and /matches: the CallCall.ai data models over JSON."""
from __future__ import annotations

from flask import Response, jsonify, request, url_for

from dashboard.api import bp
from dashboard.api.idempotency import idempotent
from dashboard.crm.models import Lead, Service, ServiceMatch
from dashboard.crm.operations import (
    LEAD_ORDER,
    create_service,
    lead_json,
    leads_with_match_counts,
    match_json,
    save_lead,
    service_json,
    update_match,
)
from dashboard.crm.schemas import LEAD, LEAD_CREATE, MATCH_UPDATE, SERVICE
from dashboard.errors import validated_json
from dashboard.extensions import db
from dashboard.ids import MAX_ID
from dashboard.pagination import InvalidCursor, KeysetPage, encode_cursor, keyset_page
from dashboard.tenancy import current_customer, get_owned_or_404, scoped

PAGE = 50
SERVICE_ORDER = (Service.service_id,)


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


@bp.get("/customers")
def list_leads():
    query = leads_with_match_counts(current_customer.customer_id, request.args.get("q"), request.args.get("status"))
    page = keyset_page(query, LEAD_ORDER, page_cursor("lead"), PAGE)
    return list_response(page, [lead_json(lead) for lead, _ in page.rows])


@bp.post("/customers")
@idempotent
def create_lead():
    lead = save_lead(Lead(customer_id=current_customer.customer_id, preferences={}, engagement={}),
                     validated_json(LEAD_CREATE))
    db.session.commit()
    return jsonify(lead_json(lead)), 201, {"Location": url_for("api.get_lead", lead_id=lead.lead_id)}


@bp.get("/customers/<lead:lead_id>")
def get_lead(lead_id: int):
    return jsonify(lead_json(get_owned_or_404(Lead, lead_id)))


@bp.put("/customers/<lead:lead_id>")
def update_lead(lead_id: int):
    lead = get_owned_or_404(Lead, lead_id)
    save_lead(lead, validated_json(LEAD))
    db.session.commit()
    return jsonify(lead_json(lead))


@bp.delete("/customers/<lead:lead_id>")
def delete_lead(lead_id: int):
    lead = get_owned_or_404(Lead, lead_id)
    db.session.delete(lead)
    db.session.commit()
    return "", 204


@bp.get("/services")
def list_services():
    page = keyset_page(scoped(Service), SERVICE_ORDER, page_cursor("service"), PAGE)
    return list_response(page, [service_json(service) for service in page.rows])


@bp.post("/services")
@idempotent
def create_service_route():
    service = create_service(current_customer.customer_id, validated_json(SERVICE))
    db.session.commit()
    return jsonify(service_json(service)), 201


@bp.get("/services/<service:service_id>")
def get_service(service_id: int):
    return jsonify(service_json(get_owned_or_404(Service, service_id)))


@bp.get("/matches/<match:match_id>")
def get_match(match_id: int):
    return jsonify(match_json(get_owned_or_404(ServiceMatch, match_id)))


@bp.put("/matches/<match:match_id>")
def update_match_route(match_id: int):
    match = get_owned_or_404(ServiceMatch, match_id)
    update_match(match, validated_json(MATCH_UPDATE))
    db.session.commit()
    return jsonify(match_json(match))
