"""The widget's public endpoints, called by static/js/widget.js from customers' sites: config and call creation."""
from __future__ import annotations

from flask import Blueprint, abort, jsonify, request
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException
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
from dashboard.errors import MESSAGES
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


def _error(status: int, message: str, **extra):
    response = jsonify(error={"code": status, "message": message, **extra})
    response.status_code = status
    return response


@widget_bp.after_request
def allow_any_origin(response):
    """Any site may embed the widget, so these answers (and only these) are readable cross-origin."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
    response.headers["Access-Control-Allow-Headers"] = "Content-Type"
    response.headers["Access-Control-Max-Age"] = "600"
    return response


@widget_bp.errorhandler(HTTPException)
def json_error(error: HTTPException):
    """JSON for the script, whatever went wrong (a bad token, a rate limit, a wrong method)."""
    default = type(error).description
    message = error.description if error.description != default else None
    return _error(error.code or 500, message or MESSAGES.get(error.code or 500, "Something went wrong."))


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
        return _error(400, "Send a JSON object whose values are strings, e.g. {\"name\": \"Ava\"}.")
    unknown = sorted(set(payload) - {"name", "email"})
    if unknown:
        return _error(422, f"Unknown fields: {', '.join(unknown)}.", fields={k: ["Not accepted."] for k in unknown})
    form = VisitorForm(MultiDict(payload))
    if not form.validate():
        return _error(422, "Some of what you sent is not valid.", fields=form.errors)
    try:
        call = start_visitor_call(agent, form.name.data or None, form.email.data or None)
    except CallsUnavailable as refused:
        return _error(refused.status, refused.message)
    return jsonify(call), 201
