"""/api/v1/customers (leads), /services and /matches: the CallCall.ai data models over JSON."""
from __future__ import annotations

from flask import abort, jsonify, request, url_for

from dashboard.api import bp
from dashboard.crm.models import Lead, Service, ServiceMatch
from dashboard.crm.operations import (
    create_service,
    lead_json,
    leads_with_match_counts,
    match_json,
    save_lead,
    service_json,
    update_match,
)
from dashboard.crm.schemas import LEAD, LEAD_CREATE, MATCH_UPDATE, SERVICE, problems
from dashboard.extensions import db
from dashboard.tenancy import current_customer, get_owned_or_404, scoped

PAGE = 50


def json_body(schema: dict) -> dict:
    """The request's JSON object, or a 400/422 JSON error naming every problem."""
    document = request.get_json(silent=True)
    if document is None:
        abort(400, "The body must be JSON (Content-Type: application/json).")
    found = problems(schema, document)
    if found:
        response = jsonify(error={"code": 422, "message": "The body is not valid.", "details": found})
        response.status_code = 422
        abort(response)
    return document


@bp.get("/customers")
def list_leads():
    after = request.args.get("starting_after", "").removeprefix("lead_")
    rows = leads_with_match_counts(current_customer.customer_id, request.args.get("q"), request.args.get("status"),
                                   PAGE + 1, int(after) if after.isdigit() else None)
    data = [lead_json(lead) for lead, _ in rows[:PAGE]]
    return jsonify(object="list", data=data, has_more=len(rows) > PAGE)


@bp.post("/customers")
def create_lead():
    lead = save_lead(Lead(customer_id=current_customer.customer_id, preferences={}, engagement={}),
                     json_body(LEAD_CREATE))
    db.session.commit()
    return jsonify(lead_json(lead)), 201, {"Location": url_for("api.get_lead", lead_id=lead.lead_id)}


@bp.get("/customers/<lead:lead_id>")
def get_lead(lead_id: int):
    return jsonify(lead_json(get_owned_or_404(Lead, lead_id)))


@bp.put("/customers/<lead:lead_id>")
def update_lead(lead_id: int):
    lead = get_owned_or_404(Lead, lead_id)
    save_lead(lead, json_body(LEAD))
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
    services = db.session.scalars(scoped(Service).order_by(Service.service_id.desc()).limit(PAGE)).all()
    return jsonify(object="list", data=[service_json(s) for s in services], has_more=len(services) == PAGE)


@bp.post("/services")
def create_service_route():
    service = create_service(current_customer.customer_id, json_body(SERVICE))
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
    update_match(match, json_body(MATCH_UPDATE))
    db.session.commit()
    return jsonify(match_json(match))
