"""The Services pages (under /leads/services): the catalog, create and edit, delete, and the latest business
analysis with "Run analysis"."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from sqlalchemy import select

from dashboard.crm import bp
from dashboard.crm.analysis import analyse
from dashboard.crm.forms import (
    SERVICE_FIELDS,
    ServiceForm,
    document_from,
    service_problems,
    service_values,
    show_problems,
)
from dashboard.crm.models import BusinessAnalysis, Service
from dashboard.crm.operations import save_service
from dashboard.extensions import db
from dashboard.fragments import render_page_or_fragment
from dashboard.pagination import keyset_page
from dashboard.tenancy import current_customer, get_owned_or_404, scoped

PAGE = 50


@bp.get("/services/")
def services():
    page = keyset_page(scoped(Service), (Service.service_id,), request.args.get("cursor"), PAGE)
    latest = {}
    if page.rows:
        newest = (select(BusinessAnalysis.service_id, db.func.max(BusinessAnalysis.analysis_id).label("id"))
                  .where(BusinessAnalysis.service_id.in_([s.service_id for s in page.rows]))
                  .group_by(BusinessAnalysis.service_id).subquery())
        latest = {a.service_id: a for a in db.session.scalars(
            select(BusinessAnalysis).join(newest, BusinessAnalysis.analysis_id == newest.c.id))}
    return render_page_or_fragment("crm/services.html", "crm/_service_rows.html",
                                   {"services": page.rows, "next_cursor": page.next_cursor, "latest": latest})


def _save_from(form: ServiceForm, service: Service):
    document, problems = document_from(request.form, SERVICE_FIELDS)
    problems += service_problems(document)
    if problems:
        show_problems(form, SERVICE_FIELDS, problems)
        return _form_page(form, service if service.service_id else None), 422
    save_service(service, document, replace=True)
    db.session.commit()
    flash("Service saved.", "success")
    return redirect(url_for("crm.service_page", service_id=service.service_id), 303)


def _form_page(form: ServiceForm, service: Service | None):
    analysis = None
    if service is not None:
        analysis = db.session.scalar(select(BusinessAnalysis).where(BusinessAnalysis.service_id == service.service_id)
                                     .order_by(BusinessAnalysis.analysis_id.desc()).limit(1))
    return render_template("crm/service.html", form=form, service=service, analysis=analysis)


@bp.route("/services/new", methods=["GET", "POST"])
def new_service():
    form = ServiceForm()
    if request.method == "POST" and form.validate():
        return _save_from(form, Service(customer_id=current_customer.customer_id, details={}, location={},
                                        features=[], media={}))
    return _form_page(form, None)


@bp.route("/services/<int:service_id>", methods=["GET", "POST"])
def service_page(service_id: int):
    service = get_owned_or_404(Service, service_id)
    form = ServiceForm(data=service_values(service)) if request.method == "GET" else ServiceForm()
    if request.method == "POST" and form.validate():
        return _save_from(form, service)
    return _form_page(form, service)


@bp.post("/services/<int:service_id>/analysis")
def analyse_service(service_id: int):
    analyse(get_owned_or_404(Service, service_id))
    db.session.commit()
    flash("Analysis computed from your current data.", "success")
    return redirect(url_for("crm.service_page", service_id=service_id) + "#analysis", 303)


@bp.post("/services/<int:service_id>/delete")
def delete_service(service_id: int):
    db.session.delete(get_owned_or_404(Service, service_id))
    db.session.commit()
    flash("Service deleted, with its matches and analyses.", "info")
    return redirect(url_for("crm.services"), 303)
