"""/api/v1 interactions (/customers/:id/interactions, /interactions/:id), business analyses
(/services/:id/analysis, /analyses/:id) and agent assignments (/assignments)."""
from __future__ import annotations

from flask import abort, jsonify, request, url_for
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from dashboard.agents.models import Agent
from dashboard.api import bp
from dashboard.api.contract import documented
from dashboard.api.crm import CURSOR, PAGE, filter_id, filters, id_filter, list_response
from dashboard.api.idempotency import idempotent
from dashboard.conversations.models import Conversation
from dashboard.crm import schemas
from dashboard.crm.analysis import analyse
from dashboard.crm.assignment import rescore
from dashboard.crm.models import AgentAssignment, BusinessAnalysis, Interaction, Lead, Service
from dashboard.crm.operations import (
    analysis_json,
    assignment_json,
    delete_interaction,
    interaction_json,
    link,
    save_interaction,
)
from dashboard.errors import problem, refuse_invalid, validated_json
from dashboard.extensions import db
from dashboard.pagination import keyset_page
from dashboard.tenancy import current_customer, get_owned_or_404, scoped

INTERACTION_ORDER = (Interaction.created_at, Interaction.interaction_id)
ANALYSIS_ORDER = (BusinessAnalysis.analysis_id,)
ASSIGNMENT_ORDER = (AgentAssignment.assignment_id,)


# ---- Interactions -------------------------------------------------------------------------------------
INTERACTION_QUERY = {"type": {"enum": schemas.INTERACTION_TYPES}, "channel": {"enum": schemas.CHANNELS},
                     "sentiment": {"enum": schemas.SENTIMENTS}, "cursor": CURSOR}


def _conversation(document: dict, problems: list):
    """The conversation a body links to (checked), None when it links to none."""
    value = document.get("conversation_id")
    if value is None:
        return None
    conversation = link(Conversation, value, ("conversation_id",), problems, current_customer.customer_id)
    taken = conversation is not None and db.session.scalar(select(Interaction.interaction_id).where(
        Interaction.session_id == conversation.session_id))
    if taken:
        return "taken"
    return conversation


def _checked_conversation(document: dict, interaction_id: int | None):
    problems: list = []
    conversation = _conversation(document, problems)
    refuse_invalid(problems)
    if conversation == "taken":
        existing = db.session.scalar(select(Interaction.interaction_id).where(
            Interaction.session_id == document["conversation_id"]))
        if existing != interaction_id:
            abort(problem(409, "That conversation is already recorded as another interaction."))
        return db.session.get(Conversation, document["conversation_id"])
    return conversation


@bp.get("/customers/<lead:lead_id>/interactions")
@documented("List a lead's interactions (newest first)", "Interactions",
            response=schemas.list_of(schemas.INTERACTION_OUT), query=INTERACTION_QUERY)
def list_interactions(lead_id: int):
    lead = get_owned_or_404(Lead, lead_id)
    args = filters(INTERACTION_QUERY)
    query = select(Interaction).where(Interaction.lead_id == lead.lead_id)
    for name, column in (("type", Interaction.type), ("channel", Interaction.channel),
                         ("sentiment", Interaction.sentiment)):
        if name in args:
            query = query.where(column == args[name])
    page = keyset_page(query, INTERACTION_ORDER, request.args.get("cursor"), PAGE)
    return list_response(page, [interaction_json(i) for i in page.rows])


@bp.post("/customers/<lead:lead_id>/interactions")
@documented("Record an interaction with a lead", "Interactions", status=201, body=schemas.INTERACTION_CREATE,
            response=schemas.INTERACTION_OUT, conflict=True,
            description="The lead's engagement (last_contact, total_interactions) follows from its interactions.")
@idempotent
def create_interaction(lead_id: int):
    lead = get_owned_or_404(Lead, lead_id)
    document = validated_json(schemas.INTERACTION_CREATE)
    conversation = _checked_conversation(document, None)
    interaction = save_interaction(Interaction(customer_id=lead.customer_id, lead_id=lead.lead_id), document,
                                   conversation)
    db.session.commit()
    return (jsonify(interaction_json(interaction)), 201,
            {"Location": url_for("api.get_interaction", interaction_id=interaction.interaction_id)})


@bp.get("/interactions/<interaction:interaction_id>")
@documented("Get an interaction", "Interactions", response=schemas.INTERACTION_OUT)
def get_interaction(interaction_id: int):
    return jsonify(interaction_json(get_owned_or_404(Interaction, interaction_id)))


@bp.put("/interactions/<interaction:interaction_id>")
@documented("Update an interaction", "Interactions", body=schemas.INTERACTION_UPDATE,
            response=schemas.INTERACTION_OUT, conflict=True)
def update_interaction(interaction_id: int):
    interaction = get_owned_or_404(Interaction, interaction_id)
    document = validated_json(schemas.INTERACTION_UPDATE)
    conversation = _checked_conversation(document, interaction.interaction_id)
    save_interaction(interaction, document, conversation)
    db.session.commit()
    return jsonify(interaction_json(interaction))


@bp.delete("/interactions/<interaction:interaction_id>")
@documented("Delete an interaction", "Interactions", status=204)
def delete_interaction_route(interaction_id: int):
    delete_interaction(get_owned_or_404(Interaction, interaction_id))
    db.session.commit()
    return "", 204


# ---- Business analyses --------------------------------------------------------------------------------
@bp.get("/services/<service:service_id>/analysis")
@documented("List a service's analyses (newest first)", "Business analysis",
            response=schemas.list_of(schemas.ANALYSIS_OUT), query={"cursor": CURSOR})
def list_analyses(service_id: int):
    service = get_owned_or_404(Service, service_id)
    query = select(BusinessAnalysis).where(BusinessAnalysis.service_id == service.service_id)
    page = keyset_page(query, ANALYSIS_ORDER, request.args.get("cursor"), PAGE)
    return list_response(page, [analysis_json(a) for a in page.rows])


@bp.post("/services/<service:service_id>/analysis")
@documented("Compute a new analysis of a service from the business's data", "Business analysis", status=201,
            response=schemas.ANALYSIS_OUT,
            description="No body. Figures the data cannot support are null (README: How figures are computed).")
@idempotent
def create_analysis(service_id: int):
    analysis = analyse(get_owned_or_404(Service, service_id))
    db.session.commit()
    return (jsonify(analysis_json(analysis)), 201,
            {"Location": url_for("api.get_analysis", analysis_id=analysis.analysis_id)})


@bp.get("/analyses/<analysis:analysis_id>")
@documented("Get an analysis", "Business analysis", response=schemas.ANALYSIS_OUT)
def get_analysis(analysis_id: int):
    return jsonify(analysis_json(get_owned_or_404(BusinessAnalysis, analysis_id)))


@bp.put("/analyses/<analysis:analysis_id>")
@documented("Recompute an analysis from the business's current data", "Business analysis",
            response=schemas.ANALYSIS_OUT, description="No body: the figures are computed, never typed in.")
def update_analysis(analysis_id: int):
    analysis = get_owned_or_404(BusinessAnalysis, analysis_id)
    fresh = analyse(db.session.get(Service, analysis.service_id))
    analysis.business_data, analysis.predictions = fresh.business_data, fresh.predictions
    db.session.delete(fresh)
    db.session.commit()
    return jsonify(analysis_json(analysis))


@bp.delete("/analyses/<analysis:analysis_id>")
@documented("Delete an analysis", "Business analysis", status=204)
def delete_analysis(analysis_id: int):
    db.session.delete(get_owned_or_404(BusinessAnalysis, analysis_id))
    db.session.commit()
    return "", 204


# ---- Agent assignments --------------------------------------------------------------------------------
ASSIGNMENT_QUERY = {"customer_id": id_filter("lead"), "agent_id": id_filter("agent"),
                    "status": {"enum": schemas.ASSIGNMENT_STATUSES}, "cursor": CURSOR}


@bp.get("/assignments")
@documented("List agent assignments", "Agent assignments", response=schemas.list_of(schemas.ASSIGNMENT_OUT),
            query=ASSIGNMENT_QUERY)
def list_assignments():
    args = filters(ASSIGNMENT_QUERY)
    query = scoped(AgentAssignment)
    if "customer_id" in args:
        query = query.where(AgentAssignment.lead_id == filter_id(args["customer_id"]))
    if "agent_id" in args:
        query = query.where(AgentAssignment.agent_id == filter_id(args["agent_id"]))
    if "status" in args:
        query = query.where(AgentAssignment.status == args["status"])
    page = keyset_page(query, ASSIGNMENT_ORDER, request.args.get("cursor"), PAGE)
    return list_response(page, [assignment_json(a) for a in page.rows])


@bp.post("/assignments")
@documented("Assign a lead to an agent (scored)", "Agent assignments", status=201, body=schemas.ASSIGNMENT_CREATE,
            response=schemas.ASSIGNMENT_OUT, conflict=True,
            description="One assignment per lead: a second one is a 409 (update it instead).")
@idempotent
def create_assignment():
    document = validated_json(schemas.ASSIGNMENT_CREATE)
    problems: list = []
    customer_id = current_customer.customer_id
    lead = link(Lead, document["customer_id"], ("customer_id",), problems, customer_id)
    agent = link(Agent, document["agent_id"], ("agent_id",), problems, customer_id)
    refuse_invalid(problems)
    if db.session.scalar(select(AgentAssignment.assignment_id).where(AgentAssignment.lead_id == lead.lead_id)):
        return problem(409, "This lead is already assigned; update its assignment instead.")
    assignment = AgentAssignment(customer_id=customer_id, lead_id=lead.lead_id, agent_id=agent.agent_id,
                                 status=document.get("status", "active"), match_factors=[], performance={})
    db.session.add(assignment)
    try:
        db.session.flush()
        rescore(assignment)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return problem(409, "This lead is already assigned; update its assignment instead.")
    return (jsonify(assignment_json(assignment)), 201,
            {"Location": url_for("api.get_assignment", assignment_id=assignment.assignment_id)})


@bp.get("/assignments/<assignment:assignment_id>")
@documented("Get an assignment", "Agent assignments", response=schemas.ASSIGNMENT_OUT)
def get_assignment(assignment_id: int):
    return jsonify(assignment_json(get_owned_or_404(AgentAssignment, assignment_id)))


@bp.put("/assignments/<assignment:assignment_id>")
@documented("Update an assignment (a new agent is scored again)", "Agent assignments",
            body=schemas.ASSIGNMENT_UPDATE, response=schemas.ASSIGNMENT_OUT)
def update_assignment(assignment_id: int):
    assignment = get_owned_or_404(AgentAssignment, assignment_id)
    document = validated_json(schemas.ASSIGNMENT_UPDATE)
    if "agent_id" in document:
        problems: list = []
        agent = link(Agent, document["agent_id"], ("agent_id",), problems, current_customer.customer_id)
        refuse_invalid(problems)
        assignment.agent_id = agent.agent_id
    if "status" in document:
        assignment.status = document["status"]
    rescore(assignment)
    db.session.commit()
    return jsonify(assignment_json(assignment))


@bp.delete("/assignments/<assignment:assignment_id>")
@documented("Delete an assignment", "Agent assignments", status=204)
def delete_assignment(assignment_id: int):
    db.session.delete(get_owned_or_404(AgentAssignment, assignment_id))
    db.session.commit()
    return "", 204
