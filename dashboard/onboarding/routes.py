"""Onboarding pages: business profile, plan, first agent; each resumes where the customer left off."""
from __future__ import annotations

from flask import current_app, flash, redirect, render_template, session, url_for
from flask_login import current_user

from dashboard.auth.forms import ProfileForm
from dashboard.auth.guard import PLAN_DEFERRED_KEY, public
from dashboard.auth.onboarding_steps import STEP_ENDPOINTS
from dashboard.auth.operations import ProfileTaken, owner_member
from dashboard.auth.sessions import sign_in
from dashboard.auth.sign_up import pending_sign_up
from dashboard.billing.entitlements import NotEntitled, require
from dashboard.extensions import db
from dashboard.onboarding import bp
from dashboard.onboarding.forms import AgentNameForm
from dashboard.onboarding.operations import (
    complete_profile,
    create_first_agent,
    create_from_sign_up,
    plan_chosen,
)


def _elsewhere(step: str):
    """Where to go when the customer is not at `step`: its own step, or home when onboarding is done."""
    if current_user.onboarding_step == step:
        return None
    return redirect(url_for(STEP_ENDPOINTS.get(current_user.onboarding_step, "core.home")))


@bp.route("/profile", methods=["GET", "POST"])
@public
def profile():
    # Public: a first Cognito sign-in has no customer (and so no sign-in) until this form is saved.
    pending = None if current_user.is_authenticated else pending_sign_up()
    if pending is None and not current_user.is_authenticated:
        flash("Please sign in to continue.", "info")
        return redirect(url_for("auth.login"))
    if pending is None and (redirected := _elsewhere("profile")):
        return redirected
    if pending is not None:
        form = ProfileForm(data={"email": pending["email"], "phone": pending["phone"]})
    else:
        form = ProfileForm(obj=current_user)
    if form.validate_on_submit():
        try:
            if pending is not None:
                customer = create_from_sign_up(pending["sub"], form.name.data, form.email.data, form.phone.data or None)
            else:
                customer = complete_profile(current_user, form.name.data, form.email.data, form.phone.data or None)
            db.session.commit()
        except ProfileTaken as taken:
            for name, message in taken.errors.items():
                form[name].errors.append(message)
        else:
            if pending is not None:
                sign_in(owner_member(customer))
            flash(f"Welcome to AngelCX, {customer.name}.", "success")
            return redirect(url_for("onboarding.plan"))
    status = 422 if form.errors else 200
    return render_template("auth/onboarding/profile.html", form=form, pending=pending, step="profile"), status


@bp.get("/plan")
def plan():
    if plan_chosen(current_user):
        db.session.commit()
    if redirected := _elsewhere("plan"):
        return redirected
    plans_url = url_for("billing.plans") if "billing.plans" in current_app.view_functions else None
    return render_template("auth/onboarding/plan.html", plans_url=plans_url, step="plan")


@bp.post("/plan/later")
def choose_plan_later():
    if redirected := _elsewhere("plan"):
        return redirected
    session[PLAN_DEFERRED_KEY] = True
    flash("You can choose a plan any time on the Billing page; we will ask again when you next sign in.", "info")
    return redirect(url_for("core.home"))


@bp.route("/agent", methods=["GET", "POST"])
def agent():
    if redirected := _elsewhere("agent"):
        return redirected
    form = AgentNameForm()
    try:
        require(current_user.customer_id)
        refusal = None
    except NotEntitled as refused:
        refusal = refused.message
    if refusal is None and form.validate_on_submit():
        try:
            created = create_first_agent(current_user, form.name.data)
        except NotEntitled as refused:  # the plan ended between the page and the post
            refusal = refused.message
        else:
            db.session.commit()
            flash(f"Your agent {created.name} is ready, with the default prompt. You are all set.", "success")
            return redirect(url_for("core.home"))
    status = 403 if refusal and form.is_submitted() else 422 if form.errors else 200
    return render_template("auth/onboarding/agent.html", form=form, refusal=refusal, step="agent"), status
