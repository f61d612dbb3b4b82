"""The Widget section: its settings (each gated by its plan flag), the avatar upload and the live preview."""
from __future__ import annotations

import json

from flask import Response, abort, render_template, request, url_for

from dashboard.agents import bp
from dashboard.agents.builder.sections import lock_reasons, render_builder, saved, section
from dashboard.agents.models import Agent
from dashboard.agents.uploads import RejectedUpload
from dashboard.agents.widget import operations
from dashboard.agents.widget.avatars import avatar_content_type, avatar_key, release_avatar, store_avatar
from dashboard.agents.widget.config import GATED_FIELDS, InvalidUiConfig, with_defaults
from dashboard.agents.widget.forms import WidgetForm
from dashboard.auth.guard import public
from dashboard.billing.entitlements import NotEntitled, require
from dashboard.extensions import db, talisman
from dashboard.security_headers import UPLOADED_FILE, WIDGET_PREVIEW_FRAME
from dashboard.storage import StorageUnavailable, storage
from dashboard.tenancy import get_owned_or_404

FIELDS = ("bot_name", "color", "avatar_url", "position", "greeting", "launcher_text")


def _proposed(form: WidgetForm) -> dict:
    """The submitted settings; fields the browser did not send (disabled, locked) keep their stored value."""
    proposed = {name: (form[name].data or "").strip() for name in FIELDS if name in request.form}
    if "avatar_url" in proposed:
        proposed["avatar_url"] = proposed["avatar_url"] or None
    return proposed


@section("widget", "Widget", 40)
def widget_context(agent: Agent) -> dict:
    """The form with the stored settings, the preview as the plan allows it, and the plan's locks."""
    return {"widget_form": WidgetForm(formdata=None, data={**with_defaults(agent.ui_config), "channels": agent.channels}),
            "frame_url": preview_frame_url(agent, {}, None), "locks": lock_reasons(agent.customer_id)}


@bp.post("/<int:agent_id>/widget")
def save_widget(agent_id: int):
    agent = get_owned_or_404(Agent, agent_id)
    form = WidgetForm()
    if not form.validate_on_submit():
        return render_builder(agent, "widget", 422, widget_form=form)
    proposed = _proposed(form)
    previous_avatar, uploaded = (agent.ui_config or {}).get("avatar_url"), None
    upload = request.files.get("avatar")
    if upload and upload.filename:
        try:
            require(agent.customer_id, GATED_FIELDS["avatar_url"])
            proposed["avatar_url"] = uploaded = store_avatar(agent.customer_id, upload)
        except (NotEntitled, RejectedUpload) as refused:
            form.avatar.errors = [refused.message]
            return render_builder(agent, "widget", 422, widget_form=form)
    channels = form.channels.data if "channels" in request.form else None
    try:
        refused = operations.update_widget(agent, proposed, channels)
    except operations.ChannelsNotIncluded as error:
        form.channels.errors = [error.message]
        refused = None
    except (NotEntitled, InvalidUiConfig) as error:
        form.form_errors.append(getattr(error, "message", None) or "These widget settings are not valid.")
        refused = None
    if refused is None or refused:
        db.session.rollback()
        release_avatar(agent.customer_id, uploaded)  # a new upload that was not saved
        db.session.commit()  # (only the job that deletes it)
        if refused is None:
            return render_builder(agent, "widget", 422, widget_form=form)
        reasons = lock_reasons(agent.customer_id)
        for name, flag in refused.items():
            form[name].errors = [reasons[flag] or "Your plan does not include this."]
        return render_builder(agent, "widget", 403, widget_form=form)
    if previous_avatar != agent.ui_config.get("avatar_url"):
        release_avatar(agent.customer_id, previous_avatar)  # replaced or removed: its file goes once this commits
    db.session.commit()
    return saved(agent, "widget", "Widget saved.")


def _typed(form: WidgetForm, values) -> tuple[dict, str]:
    """The valid typed settings (invalid ones keep the stored values) and the channels."""
    form.validate()
    typed = {name: (form[name].data or "").strip() or None if name == "avatar_url" else (form[name].data or "").strip()
             for name in FIELDS if name in values and not form[name].errors}
    channels = form.channels.data if "channels" in values and not form.channels.errors else None
    return typed, channels


def preview_frame_url(agent: Agent, typed: dict, channels: str | None) -> str:
    return url_for("agents.widget_frame", agent_id=agent.agent_id, channels=channels or agent.channels, **typed)


@bp.post("/<int:agent_id>/widget/preview")
def preview_widget(agent_id: int):
    """The preview with the settings as typed, validated but not saved; invalid values keep the stored ones."""
    agent = get_owned_or_404(Agent, agent_id)
    form = WidgetForm()
    typed, channels = _typed(form, request.form)
    return render_template("agents/_widget_preview.html", frame_url=preview_frame_url(agent, typed, channels),
                           preview_errors={name: form[name].errors for name in FIELDS if form[name].errors})


@bp.get("/<int:agent_id>/widget/frame")
@talisman(**WIDGET_PREVIEW_FRAME)
def widget_frame(agent_id: int):
    """The real widget (the embed snippet's script) on a blank page, framed by the builder's Widget section.

    Its config is the settings as typed, and it carries a short-lived preview token: its chat talks to the
    agent for real, but nothing is stored or counted against the plan.
    """
    agent = get_owned_or_404(Agent, agent_id)
    form = WidgetForm(formdata=request.args, meta={"csrf": False})
    typed, channels = _typed(form, request.args)
    config = operations.preview_config(agent, typed, channels or agent.channels, request.url_root)
    return render_template("agents/widget_frame.html", agent=agent, token=operations.widget_token(agent),
                           preview=operations.preview_token(agent), config=json.dumps(config))


@bp.get("/avatars/<filename>")
@talisman(**UPLOADED_FILE)  # with nosniff (every response) and the type its checked extension gives
@public
def avatar(filename: str):
    """Widget avatars are public (they show on the customer's site); names are unguessable.

    Streamed from object storage through the app, so the URL, the checked type and the sandbox CSP stay ours
    and the bucket stays private. A stored name never changes content, so the name is its ETag.
    """
    key = avatar_key(filename)
    if key is None:
        abort(404)
    etag = filename.split("_", 1)[1].split(".")[0]
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        try:
            chunks = storage().open(key)
        except FileNotFoundError:
            abort(404)
        except StorageUnavailable:
            abort(503)
        response = Response(chunks, mimetype=avatar_content_type(filename), direct_passthrough=True)
    response.set_etag(etag)
    response.cache_control.public, response.cache_control.max_age = True, 86400
    return response
