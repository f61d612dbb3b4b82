"""Billing pages: the plans, Checkout and its return, the Billing Portal, and the billing page with usage."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from werkzeug.datastructures import MultiDict

from dashboard.billing import bp, operations, stripe_gateway
from dashboard.billing.entitlements import FEATURE_NAMES, LIMIT_NAMES, active_contract
from dashboard.billing.forms import CadenceForm, CheckoutReturnForm
from dashboard.billing.models import Plan
from dashboard.extensions import db
from dashboard.fragments import render_page_or_fragment
from dashboard.tenancy import current_customer

# About a minute of polling every 2 s before the return page stops and explains.
MAX_RETURN_POLLS = 30


@bp.get("/")
def index():
    overview = operations.billing_overview(current_customer.customer_id)
    stripe_ready = stripe_gateway.configured()
    return render_template("billing/index.html", overview=overview, stripe_ready=stripe_ready,
                           portal=stripe_ready and current_customer.stripe_customer_id is not None)


@bp.get("/plans")
def plans():
    form = CadenceForm(formdata=MultiDict(request.args))
    if not form.validate():
        abort(400, "Choose monthly or yearly billing.")
    cadence = form.cadence.data or "monthly"
    contract = active_contract(current_customer.customer_id)
    context = dict(cadence=cadence, plans=operations.active_plans(cadence), contract=contract,
                   checkout_ready=stripe_gateway.configured(), limit_names=LIMIT_NAMES, feature_names=FEATURE_NAMES)
    return render_page_or_fragment("billing/plans.html", "billing/_plans.html", context)


@bp.post("/checkout/<int:plan_id>")
def checkout(plan_id: int):
    plan = db.session.get(Plan, plan_id) or abort(404)
    cadence = plan.cadence if plan.cadence in operations.CADENCES else "monthly"
    success_url = url_for("billing.checkout_return", _external=True) + "?session_id={CHECKOUT_SESSION_ID}"
    try:
        url = operations.start_checkout(current_customer._get_current_object(), plan, success_url,
                                        url_for("billing.checkout_cancelled", cadence=cadence, _external=True))
    except operations.CheckoutRefused as refused:
        flash(refused.message, "error")
        return redirect(url_for("billing.plans", cadence=cadence))
    # 303: the browser follows with a GET to Stripe's hosted page.
    return redirect(url, 303)


@bp.get("/checkout/cancelled")
def checkout_cancelled():
    flash("Checkout was cancelled and nothing was charged. You can pick a plan whenever you are ready.", "info")
    form = CadenceForm(formdata=MultiDict(request.args))
    return redirect(url_for("billing.plans", cadence=form.cadence.data if form.validate() else "monthly"))


@bp.get("/return")
def checkout_return():
    form = CheckoutReturnForm(formdata=MultiDict(request.args))
    if not form.validate():
        outcome, attempt = operations.CheckoutReturn("unknown"), 0
    else:
        attempt = form.attempt.data or 0
        outcome = operations.checkout_return(current_customer._get_current_object(), form.session_id.data)
    context = dict(outcome=outcome, session_id=form.session_id.data, attempt=attempt,
                   polling=outcome.state in ("activating", "unreachable") and attempt < MAX_RETURN_POLLS)
    return render_page_or_fragment("billing/return.html", "billing/_return_status.html", context)


@bp.post("/portal")
def portal():
    try:
        url = operations.portal_url(current_customer._get_current_object(), url_for("billing.index", _external=True))
    except stripe_gateway.StripeFailure as failure:
        flash(failure.message, "error")
        return redirect(url_for("billing.index"))
    return redirect(url, 303)
