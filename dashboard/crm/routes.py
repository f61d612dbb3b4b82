"""The Leads pages: the list (search, status, match counts), create/edit/delete, CSV import with a report, and a
lead's page (contact, preferences, engagement, interactions timeline, matches, assignment)."""
from __future__ import annotations

import csv
import io

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from dashboard.agents.models import Agent
from dashboard.crm import bp
from dashboard.crm.assignment import rescore
from dashboard.crm.forms import LEAD_FIELDS, LeadForm, document_from, lead_problems, lead_values, show_problems
from dashboard.crm.matching import match_lead
from dashboard.crm.models import AgentAssignment, Interaction, Lead, ServiceMatch
from dashboard.crm.operations import LEAD_ORDER, leads_with_match_counts, save_lead
from dashboard.extensions import db
from dashboard.fragments import render_page_or_fragment
from dashboard.pagination import keyset_page
from dashboard.tenancy import current_customer, get_owned_or_404, scoped

PAGE = 50
STATUSES = ("active", "inactive", "archived")
IMPORT_MAX_BYTES = 1_000_000
IMPORT_MAX_ROWS = 2_000


@bp.get("/")
def index():
    q = (request.args.get("q") or "").strip()[:100]
    status = request.args.get("status") if request.args.get("status") in STATUSES else None
    cursor = request.args.get("cursor")
    page = keyset_page(leads_with_match_counts(current_customer.customer_id, q or None, status), LEAD_ORDER,
                       cursor, PAGE)
    context = {"rows": page.rows, "next_cursor": page.next_cursor, "q": q, "status": status, "statuses": STATUSES}
    return render_page_or_fragment("crm/index.html", "crm/_rows.html" if cursor else "crm/_results.html", context)


def _save_from(form: LeadForm, lead: Lead):
    """Save the form into `lead` when valid (redirect to its page), else the form again with each problem."""
    document, problems = document_from(request.form, LEAD_FIELDS)
    problems += lead_problems(current_customer.customer_id, document, lead.lead_id)
    if problems:
        show_problems(form, LEAD_FIELDS, problems)
        return render_template("crm/lead_form.html", form=form, lead=lead if lead.lead_id else None), 422
    save_lead(lead, document, replace=True)
    db.session.commit()
    flash("Lead saved.", "success")
    return redirect(url_for("crm.lead_page", lead_id=lead.lead_id), 303)


@bp.route("/new", methods=["GET", "POST"])
def new_lead():
    form = LeadForm()
    if request.method == "POST" and form.validate():  # CSRF
        return _save_from(form, Lead(customer_id=current_customer.customer_id, preferences={}, engagement={}))
    return render_template("crm/lead_form.html", form=form, lead=None)


@bp.route("/<int:lead_id>/edit", methods=["GET", "POST"])
def edit_lead(lead_id: int):
    lead = get_owned_or_404(Lead, lead_id)
    form = LeadForm(data=lead_values(lead)) if request.method == "GET" else LeadForm()
    if request.method == "POST" and form.validate():
        return _save_from(form, lead)
    return render_template("crm/lead_form.html", form=form, lead=lead)


@bp.post("/<int:lead_id>/delete")
def delete_lead(lead_id: int):
    db.session.delete(get_owned_or_404(Lead, lead_id))
    db.session.commit()
    flash("Lead deleted, with its matches, interactions and assignment.", "info")
    return redirect(url_for("crm.index"), 303)


@bp.get("/<int:lead_id>")
def lead_page(lead_id: int):
    lead = get_owned_or_404(Lead, lead_id)
    timeline = keyset_page(select(Interaction).where(Interaction.lead_id == lead.lead_id),
                           (Interaction.created_at, Interaction.interaction_id), request.args.get("cursor"), PAGE)
    matches = db.session.scalars(select(ServiceMatch).options(selectinload(ServiceMatch.service))
                                 .where(ServiceMatch.lead_id == lead.lead_id)
                                 .order_by(ServiceMatch.score.desc(), ServiceMatch.match_id)).all()
    assignment = db.session.scalar(select(AgentAssignment).where(AgentAssignment.lead_id == lead.lead_id))
    agents = db.session.scalars(scoped(Agent).order_by(Agent.name, Agent.agent_id)).all()
    return render_template("crm/lead.html", lead=lead, interactions=timeline.rows, next_cursor=timeline.next_cursor,
                           matches=matches, assignment=assignment, agents=agents,
                           agent_names={a.agent_id: a.name for a in agents})


@bp.post("/<int:lead_id>/matches")
def find_matches(lead_id: int):
    matches = match_lead(get_owned_or_404(Lead, lead_id))
    db.session.commit()
    flash(f"{len(matches)} matching service{'s' if len(matches) != 1 else ''} found." if matches else
          "No active service meets this lead's preferences.", "success" if matches else "info")
    return redirect(url_for("crm.lead_page", lead_id=lead_id) + "#matches", 303)


@bp.post("/<int:lead_id>/assignment")
def assign(lead_id: int):
    lead = get_owned_or_404(Lead, lead_id)
    agent_id = request.form.get("agent_id", type=int)
    agent = db.session.scalar(scoped(Agent).where(Agent.agent_id == agent_id)) if agent_id else None
    assignment = db.session.scalar(select(AgentAssignment).where(AgentAssignment.lead_id == lead.lead_id))
    if agent is None:
        if request.form.get("agent_id") == "" and assignment is not None:
            db.session.delete(assignment)
            db.session.commit()
            flash("Assignment removed.", "info")
        else:
            flash("Choose one of your agents.", "error")
        return redirect(url_for("crm.lead_page", lead_id=lead_id) + "#assignment", 303)
    if assignment is None:
        assignment = AgentAssignment(customer_id=lead.customer_id, lead_id=lead.lead_id, match_factors=[],
                                     performance={}, status="active")
        db.session.add(assignment)
    assignment.agent_id = agent.agent_id
    db.session.flush()
    rescore(assignment)
    db.session.commit()
    flash(f"Assigned to {agent.name} (match score {assignment.match_score}).", "success")
    return redirect(url_for("crm.lead_page", lead_id=lead_id) + "#assignment", 303)


@bp.route("/import", methods=["GET", "POST"])
def import_leads():
    """A CSV of leads, one per row (the columns are the form's fields); each row checked like the API would, the
    valid ones saved together, and a report of every refused row and why."""
    report = None
    if request.method == "POST":
        upload = request.files.get("file")
        data = upload.read(IMPORT_MAX_BYTES + 1) if upload else b""
        if not data:
            flash("Choose a CSV file to import.", "error")
        elif len(data) > IMPORT_MAX_BYTES:
            flash("That file is larger than 1 MB; split it and import the parts.", "error")
        else:
            try:
                report = _import(data.decode("utf-8-sig"))
            except UnicodeDecodeError:
                flash("That file is not UTF-8 text: save it as CSV (UTF-8) and try again.", "error")
            if report and report["imported"]:
                flash(f"{report['imported']} lead{'s' if report['imported'] != 1 else ''} imported.", "success")
    return render_template("crm/import.html", report=report, columns=list(LEAD_FIELDS))


def _import(text: str) -> dict:
    reader = csv.DictReader(io.StringIO(text))
    unknown = sorted(set(reader.fieldnames or []) - set(LEAD_FIELDS))
    refused, imported = [], 0
    for line, row in enumerate(reader, start=2):
        if line - 1 > IMPORT_MAX_ROWS:
            refused.append({"line": line, "email": None, "reasons": [f"Only {IMPORT_MAX_ROWS} rows are read at a time."]})
            break
        document, problems = document_from({k: v for k, v in row.items() if isinstance(v, str)}, LEAD_FIELDS)
        problems += lead_problems(current_customer.customer_id, document, None)
        if problems:
            refused.append({"line": line, "email": (row.get("email") or "").strip() or None,
                            "reasons": [f"{_column(p['path'])}: {p['message']}" for p in problems]})
            continue
        save_lead(Lead(customer_id=current_customer.customer_id, preferences={}, engagement={}), document)
        imported += 1
    db.session.commit()
    return {"imported": imported, "refused": refused, "unknown_columns": unknown}


def _column(path: str) -> str:
    by_pointer = {pointer: name for name, pointer in LEAD_FIELDS.items()}
    return by_pointer.get(path) or next((n for p, n in by_pointer.items() if path.startswith(p + "/")), None) or "row"


from dashboard.crm import service_routes  # noqa: E402,F401
