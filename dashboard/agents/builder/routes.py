"""Agents: the list, creating one, its builder page, the Details section, and deleting it."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from dashboard.agents import bp
from dashboard.agents.builder import operations
from dashboard.agents.builder.forms import AgentForm
from dashboard.agents.builder.sections import render_builder, saved, section
from dashboard.agents.models import Agent
from dashboard.billing.entitlements import NotEntitled, entitlements, require
from dashboard.extensions import db
from dashboard.fragments import hx_redirect, render_page_or_fragment
from dashboard.tenancy import current_customer, get_owned_or_404


@bp.get("/")
def index():
    search = request.args.get("q", "").strip()[:100]
    cursor = request.args.get("cursor") or None
    page = operations.list_agents(current_customer.customer_id, search, cursor)
    context = {"rows": page.rows, "next_cursor": page.next_cursor, "search": search, "cursor": cursor,
               "has_plan": entitlements(current_customer.customer_id) is not None}
    return render_page_or_fragment("agents/index.html", "agents/_cards.html", context)


@bp.route("/new", methods=["GET", "POST"])
def new():
    form = AgentForm()
    plan_message = None
    try:
        require(current_customer.customer_id)
    except NotEntitled as refused:
        plan_message = refused.message
    if request.method == "POST" and plan_message is None and form.validate_on_submit():
        agent = operations.create_agent(current_customer.customer_id, form.name.data, form.description.data or None,
                                        brand_info=form.brand_info.data or None)
        db.session.commit()
        flash(f"{agent.name} is ready. Set up its prompt, voice and widget below.", "success")
        return redirect(url_for("agents.show", agent_id=agent.agent_id))
    status = 422 if request.method == "POST" else 200
    if request.method == "POST" and plan_message:
        status = 403
    return render_template("agents/new.html", form=form, plan_message=plan_message), status


@bp.get("/<int:agent_id>")
def show(agent_id: int):
    return render_builder(get_owned_or_404(Agent, agent_id))


@section("details", "Details", 10)
def details_context(agent: Agent) -> dict:
    return {"details_form": AgentForm(formdata=None, obj=agent)}


@bp.post("/<int:agent_id>/details")
def save_details(agent_id: int):
    agent = get_owned_or_404(Agent, agent_id)
    form = AgentForm()
    if not form.validate_on_submit():
        return render_builder(agent, "details", 422, details_form=form)
    operations.update_details(agent, form.name.data, form.description.data, form.brand_info.data)
    agent.creates_leads = bool(form.creates_leads.data)
    db.session.commit()
    return saved(agent, "details", "Details saved.")


@bp.post("/<int:agent_id>/delete")
def delete(agent_id: int):
    agent = get_owned_or_404(Agent, agent_id)
    name = agent.name
    operations.delete_agent(agent)
    db.session.commit()
    flash(f"{name} was deleted. Its conversations are kept.", "success")
    return hx_redirect(url_for("agents.index"))

