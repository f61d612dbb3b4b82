"""The widget's public endpoints, called by static/js/widget.js from customers' sites: config and call creation."""
from __future__ import annotations

from flask import Blueprint, abort, jsonify, request
from werkzeug.datastructures import MultiDict
from wtforms import EmailField, Form, StringField
from wtforms.validators import Email, Length, Optional

from dashboard.access import public
from dashboard.agents.models import Agent
from dashboard.agents.widget.operations import (
    CallsUnavailable,
    agent_for_widget_token,
    public_config,
    start_visitor_call,
)
from dashboard.errors import field_problem, problem
from dashboard.extensions import csrf, limiter

widget_bp = Blueprint("widget", __name__, url_prefix="/widget")
# Sites call these from their own origin without cookies; nothing here acts on a signed-in session.
csrf.exempt(widget_bp)

CALL_RATE_LIMIT = "30 per minute"
CONFIG_RATE_LIMIT = "120 per minute"


class VisitorForm(Form):
    """What a visitor may tell the widget before a call (both optional); a plain Form: no session, no CSRF."""

    name = StringField("Name", filters=[lambda v: v.strip() if v else v], validators=[Optional(), Length(max=100)])
    email = EmailField("Email", filters=[lambda v: v.strip() if v else v],
                       validators=[Optional(), Email("Enter a valid email address."), Length(max=254)])


@widget_bp.after_request
def allow_any_origin(response):
    """Any site may embed the widget, so these answers (and only these) are readable cross-origin."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = "Content-Type"
    response.headers["Access-Control-Max-Age"] = "600"
    return response


def _agent_or_404(token: str) -> Agent:
    agent = agent_for_widget_token(token)
    if agent is None:
        abort(404, "This widget's agent was not found. Check the data-agent value of the snippet.")
    return agent


@widget_bp.get("/<token>/config")
@public
@limiter.limit(CONFIG_RATE_LIMIT)
def config(token: str):
    return jsonify(public_config(_agent_or_404(token), request.url_root))


@widget_bp.post("/<token>/calls")
@public
@limiter.limit(CALL_RATE_LIMIT, methods=["POST"],
               error_message="Too many calls started from your address. Please wait a minute and try again.")
def create_call(token: str):
    agent = _agent_or_404(token)
    payload = request.get_json(silent=True) if request.data else {}
    if not isinstance(payload, dict) or not all(isinstance(v, str) for v in payload.values()):
        return problem(400, "Send a JSON object whose values are strings, e.g. {\"name\": \"Ava\"}.")
    unknown = sorted(set(payload) - {"name", "email"})
    if unknown:
        return problem(422, f"Unknown fields: {', '.join(unknown)}.",
                       errors=[field_problem((name,), "Not accepted.") for name in unknown])
    form = VisitorForm(MultiDict(payload))
    if not form.validate():
        return problem(422, errors=[field_problem((name,), message)
                                    for name, messages in form.errors.items() for message in messages])
    try:
        call = start_visitor_call(agent, form.name.data or None, form.email.data or None)
    except CallsUnavailable as refused:
        return problem(refused.status, refused.message)
    return jsonify(call), 201
