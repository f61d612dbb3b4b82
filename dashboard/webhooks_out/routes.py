"""Settings → Webhooks: list and add endpoints, the secret shown once, rotate, enable, delete, the delivery log."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from dashboard.extensions import db
from dashboard.tenancy import current_customer, get_owned_or_404, scoped
from dashboard.webhooks_out import bp
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

LOG_SIZE = 50


def _index(error: str | None = None, url: str = "", chosen=(), status: int = 200):
    endpoints = db.session.scalars(scoped(WebhookEndpoint).order_by(WebhookEndpoint.webhook_endpoint_id)).all()
    return render_template("webhooks_out/index.html", endpoints=endpoints, events=EVENTS, error=error, url=url,
                           chosen=chosen), status


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
    return _endpoint_page(endpoint, new_secret=secret)


def _endpoint_page(endpoint: WebhookEndpoint, new_secret: str | None = None):
    deliveries = db.session.scalars(
        select(WebhookDelivery).where(WebhookDelivery.webhook_endpoint_id == endpoint.webhook_endpoint_id)
        .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.webhook_delivery_id.desc()).limit(LOG_SIZE)
    ).all()
    return render_template("webhooks_out/endpoint.html", endpoint=endpoint, deliveries=deliveries,
                           new_secret=new_secret)


@bp.get("/<int:endpoint_id>")
def show(endpoint_id: int):
    return _endpoint_page(get_owned_or_404(WebhookEndpoint, endpoint_id))


@bp.post("/<int:endpoint_id>/rotate")
def rotate(endpoint_id: int):
    endpoint = get_owned_or_404(WebhookEndpoint, endpoint_id)
    secret = rotate_secret(endpoint)
    db.session.commit()
    return _endpoint_page(endpoint, new_secret=secret)


@bp.post("/<int:endpoint_id>/enabled")
def enable(endpoint_id: int):
    endpoint = get_owned_or_404(WebhookEndpoint, endpoint_id)
    set_enabled(endpoint, request.form.get("enabled") == "true")
    db.session.commit()
    return redirect(url_for("webhooks_out.show", endpoint_id=endpoint_id))


@bp.post("/<int:endpoint_id>/delete")
def delete(endpoint_id: int):
    db.session.delete(get_owned_or_404(WebhookEndpoint, endpoint_id))
    db.session.commit()
    flash("The webhook endpoint is deleted.", "success")
    return redirect(url_for("webhooks_out.index"))


@bp.post("/<int:endpoint_id>/ping")
def ping(endpoint_id: int):
    send_ping(get_owned_or_404(WebhookEndpoint, endpoint_id))
    db.session.commit()
    flash("A test event (ping) is on its way.", "success")
    return redirect(url_for("webhooks_out.show", endpoint_id=endpoint_id))


@bp.post("/<int:endpoint_id>/deliveries/<int:delivery_id>/resend")
def resend_delivery(endpoint_id: int, delivery_id: int):
    endpoint = get_owned_or_404(WebhookEndpoint, endpoint_id)
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.webhook_endpoint_id != endpoint.webhook_endpoint_id:
        abort(404)
    resend(delivery)
    db.session.commit()
    flash(f"Event {delivery.event_id} is sent again.", "success")
    return redirect(url_for("webhooks_out.show", endpoint_id=endpoint_id))
