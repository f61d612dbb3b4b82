"""The widget's public endpoints, called by static/js/widget.js from customers' sites: config and call creation."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, jsonify, request
from werkzeug.datastructures import MultiDict
from wtforms import EmailField, StringField
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
from dashboard.extensions import csrf, limiter, url_token, url_token_and_address
from dashboard.forms import Subform
from dashboard.shared_caching import cacheable

widget_bp = Blueprint("widget", __name__, url_prefix="/widget")
# Sites call these from their own origin without cookies; nothing here acts on a signed-in session.
csrf.exempt(widget_bp)

# Abuse is one address hammering one site's widget, so budgets are per token and address together (a busy
# office's visitors share one address, but only on that business's site), with a burst allowance per second.
# Each setting of the same name (an app setting) overrides its default; the README lists them.
CONFIG_RATE_LIMIT = "600 per minute; 60 per second"
CALL_RATE_LIMIT = "30 per minute"
# Calls cost the business its minutes: a ceiling per widget whatever the number of addresses.
CALLS_PER_WIDGET_LIMIT = "300 per hour"
# Browsers and CDNs keep the config a minute (plan changes reach visitors within it), and may answer from
# a stale copy for 10 more minutes while they fetch the new one in the background.
CONFIG_CACHE_CONTROL = "public, max-age=60, stale-while-revalidate=600"


def _limit(setting: str, default: str):
    return lambda: current_app.config.get(setting, default)


class VisitorForm(Subform):
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
@limiter.limit(_limit("WIDGET_CONFIG_RATE_LIMIT", CONFIG_RATE_LIMIT), key_func=url_token_and_address)
def config(token: str):
    return cacheable(jsonify(public_config(_agent_or_404(token), request.url_root)), CONFIG_CACHE_CONTROL)


@widget_bp.post("/<token>/calls")
@public
# Flask-Limiter checks the decorator nearest the view first and stops at the first refusal, so an address
# refused for its own calls does not also spend the widget's ceiling (that would let one address block a site).
@limiter.limit(_limit("WIDGET_CALLS_PER_WIDGET_LIMIT", CALLS_PER_WIDGET_LIMIT), key_func=url_token, methods=["POST"],
               error_message="This business's assistant is taking too many calls right now. Please try again later.")
@limiter.limit(_limit("WIDGET_CALL_RATE_LIMIT", CALL_RATE_LIMIT), key_func=url_token_and_address, methods=["POST"],
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
