"""Settings: the business profile and API keys for the JSON API."""
from __future__ import annotations

from flask import flash, g, redirect, render_template, url_for
from flask_login import current_user

from dashboard.auth import settings_bp as bp
from dashboard.auth.api_keys import TooManyKeys, api_keys_for, create_api_key, revoke_api_key
from dashboard.auth.forms import ApiKeyForm, ProfileForm
from dashboard.auth.models import ApiKey
from dashboard.auth.operations import ProfileTaken, save_profile, set_time_zone
from dashboard.extensions import db
from dashboard.fragments import render_page_or_fragment, wants_fragment
from dashboard.tenancy import current_customer, get_owned_or_404


def _page(profile_form=None, key_form=None, new_secret=None, status=200, fragment=None, notice=None,
          headers=None):
    """The settings page, or only `fragment` of it when htmx asked."""
    context = {
        "profile_form": profile_form or ProfileForm(obj=current_user, formdata=None),
        "key_form": key_form or ApiKeyForm(formdata=None),
        "keys": api_keys_for(current_customer.customer_id),
        "new_secret": new_secret,
        "notice": notice,
    }
    return render_page_or_fragment("settings/index.html", f"settings/{fragment}.html" if fragment else None, context,
                                   status=status, headers=headers)


@bp.get("/")
def index():
    return _page()


@bp.post("/profile")
def profile():
    form = ProfileForm()
    if form.validate_on_submit():
        try:
            save_profile(current_user, form.name.data, form.email.data, form.phone.data or None)
            set_time_zone(current_user, form.time_zone.data)
            db.session.commit()
        except ProfileTaken as taken:
            for name, message in taken.errors.items():
                form[name].errors.append(message)
        else:
            if wants_fragment():
                return _page(profile_form=form, fragment="_profile", notice="Your business profile is saved.")
            flash("Your business profile is saved.", "success")
            return redirect(url_for("settings.index"))
    return _page(profile_form=form, status=422, fragment="_profile")


@bp.post("/api-keys")
def create_key():
    form = ApiKeyForm()
    if form.validate_on_submit():
        try:
            _, secret = create_api_key(current_customer, form.name.data, g.member)
            db.session.commit()
        except TooManyKeys as refused:
            form.name.errors.append(str(refused))
        else:
            # The only response that carries the secret: no cache may keep it.
            return _page(new_secret=secret, fragment="_api_keys", headers={"Cache-Control": "no-store"})
    return _page(key_form=form, status=422, fragment="_api_keys")


@bp.get("/api-keys/<int:key_id>/revoke")
def confirm_revoke(key_id: int):
    key = get_owned_or_404(ApiKey, key_id)
    return render_template("settings/confirm_revoke.html", key=key)


@bp.post("/api-keys/<int:key_id>/revoke")
def revoke_key(key_id: int):
    key = get_owned_or_404(ApiKey, key_id)
    if key.revoked_at is None:
        revoke_api_key(key)
        db.session.commit()
    message = f"The key {key.name} ({key.prefix}…) is revoked; apps using it can no longer call the API."
    if wants_fragment():
        return _page(fragment="_api_keys", notice=message)
    flash(message, "success")
    return redirect(url_for("settings.index"))
