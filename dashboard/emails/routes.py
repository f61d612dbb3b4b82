"""Email templates (list, create, edit, send a test) and the log of every send."""
from pathlib import Path

from flask import current_app, flash, make_response, redirect, render_template, request, url_for
from wtforms import SelectChoice

from dashboard.agents.models import Agent
from dashboard.auth import audit
from dashboard.billing.entitlements import NotEntitled, entitlements, require
from dashboard.emails import bp
from dashboard.emails.forms import EmailTemplateForm, TestEmailForm
from dashboard.emails.mail_gateway import MailError
from dashboard.emails.models import EmailLog, EmailTemplate
from dashboard.emails.operations import LOG_STATUSES, PLACEHOLDERS, log_page, save_template, templates_with_agents
from dashboard.emails.preview import preview_of
from dashboard.emails.sending import retry_failed, send_test_email
from dashboard.extensions import db, limiter
from dashboard.fragments import render_page_or_fragment, wants_fragment
from dashboard.ids import id_arg
from dashboard.tenancy import current_customer, get_owned_or_404, scoped


@bp.get("/")
def index():
    customer_id = current_customer.customer_id
    template_id = request.args.get("template", type=id_arg)
    status = request.args.get("status") if request.args.get("status") in LOG_STATUSES else None
    cursor = request.args.get("cursor")
    context = {"page": log_page(customer_id, cursor, template_id, status), "template_id": template_id,
               "status": status}
    # "Load older" (with a cursor) appends rows; the filters swap the whole log (#send-log).
    fragment = "emails/_log_rows.html" if cursor else {"send-log": "emails/_log.html"}
    return render_page_or_fragment("emails/index.html", fragment, context,
                                   page_context=lambda: _index_only(customer_id))


def _index_only(customer_id: int) -> dict:
    """What the full emails page shows beyond the log: the templates, and whether the plan lets them send."""
    access = entitlements(customer_id)
    return {"templates": templates_with_agents(customer_id), "can_send": bool(access and access.send_emails)}


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
                  is_active=form.is_active.data, send_html=form.send_html.data,
                  customer_id=current_customer.customer_id)
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
    return render_template("emails/edit.html", form=form, template=None, placeholders=PLACEHOLDERS,
                           preview=preview_of(form.data, current_customer.customer_id)), 422 if form.errors else 200


@bp.route("/templates/<int:template_id>", methods=["GET", "POST"])
def edit_template(template_id: int):
    template = get_owned_or_404(EmailTemplate, template_id)
    form = _form(template)
    if form.validate_on_submit():
        _save(template, form)
        flash("Email template saved.", "success")
        return redirect(url_for("emails.index"))
    return render_template("emails/edit.html", form=form, template=template, placeholders=PLACEHOLDERS,
                           preview=preview_of(form.data, current_customer.customer_id),
                           test_form=TestEmailForm(formdata=None), test_lock=_send_lock()), \
        422 if form.errors else 200


@bp.post("/templates/preview")
def preview_template():
    """The preview of the form as typed (subject and body with sample values), for HTMX; nothing is saved."""
    return render_template("emails/_preview.html", preview=preview_of(request.form, current_customer.customer_id))


def _send_lock() -> str | None:
    """Why the plan does not allow sending, or None when it does."""
    try:
        require(current_customer.customer_id, "send_emails")
    except NotEntitled as refused:
        return refused.message
    return None


def _too_many_tests(limit):
    """The test-email card saying to wait (HTMX); a plain request gets the 429 error page."""
    if not wants_fragment():
        return None
    template = get_owned_or_404(EmailTemplate, request.view_args["template_id"])
    html = render_template("emails/_test_email.html", template=template, test_form=TestEmailForm(formdata=None),
                           test_lock=None, failure=f"That is the most test emails allowed ({limit.limit}). Please try again later.")
    return make_response(html, 429)


# Test emails go to any address the customer types: a per-customer limit keeps them from being a spam relay.
@bp.post("/templates/<int:template_id>/test")
@limiter.limit(lambda: current_app.config.get("TEST_EMAIL_RATE_LIMIT", "10 per hour"),
               key_func=lambda: f"test-email:{current_customer.customer_id}", on_breach=_too_many_tests)
def send_test(template_id: int):
    template = get_owned_or_404(EmailTemplate, template_id)
    form = TestEmailForm()
    lock = _send_lock()
    status, result = 200, {}
    if lock:
        status = 403
    elif not form.validate_on_submit():
        status = 422
    else:
        try:
            written = send_test_email(template, current_customer.customer_id, form.address.data)
            result = {"sent_to": form.address.data, "outbox_file": written and _shown_path(written)}
        except MailError as error:
            status, result = 502, {"failure": error.message}
    if not wants_fragment():  # without JavaScript: say what happened on the edit page
        message = lock or result.get("failure") or (_sent_message(**result) if result else
                                                    "Type a valid email address to send a test to.")
        flash(message, "success" if status == 200 else "error")
        return redirect(url_for("emails.edit_template", template_id=template_id), 303)
    return render_template("emails/_test_email.html", template=template, test_form=form, test_lock=lock,
                           **result), status


def _shown_path(path: Path) -> str:
    """The outbox file, relative to the app's folder when it is inside it (instance/outbox/…)."""
    root = Path(current_app.root_path).parent
    return str(path.relative_to(root)) if path.is_relative_to(root) else str(path)


def _sent_message(sent_to: str, outbox_file: str | None) -> str:
    if outbox_file:
        return (f"Test email for {sent_to} written to the outbox, not sent: {outbox_file} "
                "(no MAIL_SERVER is set, so emails are kept as files).")
    return f"Test email sent to {sent_to}."


@bp.post("/templates/<int:template_id>/delete")
def delete_template(template_id: int):
    template = get_owned_or_404(EmailTemplate, template_id)
    audit.record(template.customer_id, "email_template.deleted", f"email template {template.email_subject} #{template_id}",
                 {"email_subject": [template.email_subject, None]})
    db.session.execute(db.delete(EmailTemplate).where(EmailTemplate.email_pk == template.email_pk))
    db.session.commit()
    flash("Email template deleted. Its past sends stay in the log.", "info")
    return redirect(url_for("emails.index"))




@bp.post("/log/<int:log_id>/retry")
def retry_send(log_id: int):
    """The send log's "Retry" on an email that failed for good: queue it again (same row, same Message-ID)."""
    entry = get_owned_or_404(EmailLog, log_id)
    if retry_failed(entry):
        flash(f"The email to {entry.recipient_email} is queued to be sent again.", "success")
    else:
        flash("That email is already being sent, or was sent.", "info")
    return redirect(url_for("emails.index", status=request.args.get("status")), 303)
