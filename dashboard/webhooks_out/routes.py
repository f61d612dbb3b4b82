"""Settings → Webhooks: list and add endpoints, the secret shown once, rotate, enable, delete, the delivery log.

Every action works as a plain form post; with htmx it swaps only what changed: the endpoints card, the endpoint's
summary, the log (a ping), one event's entry (a resend, then every second until it is settled).
"""
from __future__ import annotations

from flask import abort, flash, redirect, request, url_for

from dashboard.extensions import db
from dashboard.fragments import hx_redirect, render_page_or_fragment, wants_fragment
from dashboard.tenancy import current_customer, get_owned_or_404, scoped
from dashboard.webhooks_out import bp
from dashboard.webhooks_out.delivery_log import log_page, one_delivery
from dashboard.webhooks_out.models import WebhookDelivery, WebhookEndpoint
from dashboard.webhooks_out.operations import (
    EVENTS,
    EndpointRefused,
    create_endpoint,
    resend,
    rotate_secret,
    send_ping,
    set_enabled,
)

# The only answers that carry a signing secret: no cache may keep them.
NO_STORE = {"Cache-Control": "no-store"}


def _index(error: str | None = None, url: str = "", chosen=(), status: int = 200, new_secret: str | None = None,
           created: WebhookEndpoint | None = None, headers=None):
    endpoints = db.session.scalars(scoped(WebhookEndpoint).order_by(WebhookEndpoint.webhook_endpoint_id)).all()
    context = {"endpoints": endpoints, "events": EVENTS, "error": error, "url": url, "chosen": chosen,
               "new_secret": new_secret, "created": created}
    return render_page_or_fragment("webhooks_out/index.html", {"webhook-endpoints": "webhooks_out/_endpoints.html"},
                                   context, status=status, headers=headers)


@bp.get("/")
def index():
    return _index()


@bp.post("/")
def create():
    url, events = request.form.get("url", ""), request.form.getlist("events")
    try:
        endpoint, secret = create_endpoint(current_customer.customer_id, url, events)
    except EndpointRefused as refused:
        db.session.rollback()
        return _index(refused.message, url[:2000], events, 422)
    db.session.commit()
    if wants_fragment():
        return _index(new_secret=secret, created=endpoint, headers=NO_STORE)
    return _endpoint_page(endpoint, new_secret=secret, headers=NO_STORE)


def _endpoint_page(endpoint: WebhookEndpoint, new_secret: str | None = None, fragment=None, notice=None,
                   headers=None):
    """The endpoint's page; with htmx only `fragment` of it (its summary, or the log)."""
    cursor = request.args.get("cursor") if request.method == "GET" else None
    context = {"endpoint": endpoint, "new_secret": new_secret, "notice": notice,
               "log": log_page(endpoint.webhook_endpoint_id, cursor)}
    if cursor:  # "Load older events" appends entries
        fragment = "webhooks_out/_log_entries.html"
    return render_page_or_fragment("webhooks_out/endpoint.html", fragment, context, headers=headers)


@bp.get("/<int:endpoint_id>")
def show(endpoint_id: int):
    return _endpoint_page(get_owned_or_404(WebhookEndpoint, endpoint_id))


@bp.post("/<int:endpoint_id>/rotate")
def rotate(endpoint_id: int):
    endpoint = get_owned_or_404(WebhookEndpoint, endpoint_id)
    secret = rotate_secret(endpoint)
    db.session.commit()
    return _endpoint_page(endpoint, new_secret=secret, fragment="webhooks_out/_summary.html", headers=NO_STORE)


@bp.post("/<int:endpoint_id>/enabled")
def enable(endpoint_id: int):
    endpoint = get_owned_or_404(WebhookEndpoint, endpoint_id)
    enabled = request.form.get("enabled") == "true"
    set_enabled(endpoint, enabled)
    db.session.commit()
    message = "The endpoint is enabled: new events are sent to it." if enabled else \
        "The endpoint is disabled: nothing is sent to it until you enable it again."
    if wants_fragment():
        return _endpoint_page(endpoint, fragment="webhooks_out/_summary.html", notice=message)
    flash(message, "success")
    return redirect(url_for("webhooks_out.show", endpoint_id=endpoint_id))


@bp.post("/<int:endpoint_id>/delete")
def delete(endpoint_id: int):
    db.session.delete(get_owned_or_404(WebhookEndpoint, endpoint_id))
    db.session.commit()
    flash("The webhook endpoint is deleted.", "success")
    return hx_redirect(url_for("webhooks_out.index"), 303)


@bp.post("/<int:endpoint_id>/ping")
def ping(endpoint_id: int):
    endpoint = get_owned_or_404(WebhookEndpoint, endpoint_id)
    send_ping(endpoint)
    db.session.commit()
    message = "A test event (ping) is on its way; its delivery shows at the top of the log."
    if wants_fragment():
        return _endpoint_page(endpoint, fragment="webhooks_out/_log.html", notice=message)
    flash(message, "success")
    return redirect(url_for("webhooks_out.show", endpoint_id=endpoint_id))


def _entry(endpoint: WebhookEndpoint, delivery_id: int, notice: str | None = None):
    log = one_delivery(endpoint.webhook_endpoint_id, delivery_id)
    if log is None:
        abort(404)
    return render_page_or_fragment("webhooks_out/_log_entries.html", None,
                                   {"endpoint": endpoint, "log": log, "entry_notice": notice, "single": True})


@bp.get("/<int:endpoint_id>/deliveries/<int:delivery_id>")
def delivery_entry(endpoint_id: int, delivery_id: int):
    """One event's log entry (htmx asks for it every second while it is being delivered)."""
    endpoint = get_owned_or_404(WebhookEndpoint, endpoint_id)
    if not wants_fragment():
        if one_delivery(endpoint_id, delivery_id) is None:
            abort(404)
        return redirect(url_for("webhooks_out.show", endpoint_id=endpoint_id))
    return _entry(endpoint, delivery_id)


@bp.post("/<int:endpoint_id>/deliveries/<int:delivery_id>/resend")
def resend_delivery(endpoint_id: int, delivery_id: int):
    endpoint = get_owned_or_404(WebhookEndpoint, endpoint_id)
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.webhook_endpoint_id != endpoint.webhook_endpoint_id:
        abort(404)
    reopened = resend(delivery)
    db.session.commit()
    message = f"Event {delivery.event_id} is being sent again." if reopened else \
        f"Event {delivery.event_id} is still being delivered; resend it once it has succeeded or failed."
    if wants_fragment():
        return _entry(endpoint, delivery_id, notice=message)
    flash(message, "success" if reopened else "warning")
    return redirect(url_for("webhooks_out.show", endpoint_id=endpoint_id))
