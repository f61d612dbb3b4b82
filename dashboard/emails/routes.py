"""Email templates (list, create, edit) and the log of every send."""
from flask import flash, redirect, render_template, request, url_for
from wtforms import SelectChoice

from dashboard.agents.models import Agent
from dashboard.billing.entitlements import NotEntitled, entitlements, require
from dashboard.emails import bp
from dashboard.emails.forms import EmailTemplateForm
from dashboard.emails.models import EmailTemplate
from dashboard.emails.operations import PLACEHOLDERS, log_page, save_template, templates_with_agents
from dashboard.extensions import db, htmx
from dashboard.tenancy import current_customer, get_owned_or_404, scoped


@bp.get("/")
def index():
    customer_id = current_customer.customer_id
    template_id = request.args.get("template", type=int)
    page = log_page(customer_id, request.args.get("cursor"), template_id)
    if htmx and request.args.get("cursor"):
        return render_template("emails/_log_rows.html", page=page, template_id=template_id)
    access = entitlements(customer_id)
    return render_template("emails/index.html", templates=templates_with_agents(customer_id), page=page,
                           template_id=template_id, can_send=bool(access and access.send_emails))


def _form(template: EmailTemplate | None = None) -> EmailTemplateForm:
    form = EmailTemplateForm(obj=template)
    agents = db.session.scalars(scoped(Agent).order_by(Agent.name)).all()
    form.agent_id.choices = [SelectChoice(0, "Any agent")] + [SelectChoice(a.agent_id, a.name) for a in agents]
    if template is not None and request.method == "GET":
        form.agent_id.data = template.agent_id or 0
    return form


def _save(template: EmailTemplate, form: EmailTemplateForm):
    save_template(template, email_subject=form.email_subject.data.strip(), sender_email=form.sender_email.data,
                  agent_id=form.agent_id.data or None, email_body=form.email_body.data,
                  is_active=form.is_active.data, customer_id=current_customer.customer_id)
    db.session.commit()


@bp.route("/templates/new", methods=["GET", "POST"])
def new_template():
    form = _form()
    try:
        require(current_customer.customer_id, "send_emails")
    except NotEntitled as refused:
        flash(refused.message, "warning")
        return redirect(url_for("emails.index"))
    if form.validate_on_submit():
        _save(EmailTemplate(), form)
        flash("Email template created.", "success")
        return redirect(url_for("emails.index"))
    return render_template("emails/edit.html", form=form, template=None, placeholders=PLACEHOLDERS), \
        422 if form.errors else 200


@bp.route("/templates/<int:template_id>", methods=["GET", "POST"])
def edit_template(template_id: int):
    template = get_owned_or_404(EmailTemplate, template_id)
    form = _form(template)
    if form.validate_on_submit():
        _save(template, form)
        flash("Email template saved.", "success")
        return redirect(url_for("emails.index"))
    return render_template("emails/edit.html", form=form, template=template, placeholders=PLACEHOLDERS), \
        422 if form.errors else 200


@bp.post("/templates/<int:template_id>/delete")
def delete_template(template_id: int):
    template = get_owned_or_404(EmailTemplate, template_id)
    db.session.execute(db.delete(EmailTemplate).where(EmailTemplate.email_pk == template.email_pk))
    db.session.commit()
    flash("Email template deleted. Its past sends stay in the log.", "info")
    return redirect(url_for("emails.index"))


