"""Local sign-in and sign-out."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from dashboard.auth import bp
from dashboard.auth.forms import LoginForm
from dashboard.auth.guard import public
from dashboard.auth.operations import authenticate


def safe_next(target: str | None) -> str:
    """`target` when it is a path on this site, else the home page."""
    if not target:
        return url_for("core.home")
    target = target.strip()
    parts = urlsplit(target)
    if (
        parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//")
        or "\\" in target or any(ord(c) < 32 for c in target)
    ):
        return url_for("core.home")
    return target


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    if form.validate_on_submit():
        customer = authenticate(form.email.data, form.password.data)
        if customer is not None:
            login_user(customer)
            flash(f"Welcome back, {customer.name}.", "success")
            return redirect(safe_next(request.args.get("next")))
        form.password.errors.append("That email and password do not match an account.")
        return render_template("auth/login.html", form=form), 401
    status = 422 if form.errors else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout():
    logout_user()
    flash("You have signed out.", "info")
    return redirect(url_for("auth.login"))
