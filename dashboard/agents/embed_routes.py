"""The Embed section: its Test call (an Ultravox call with the compiled agent) and a blank test page with the snippet."""
from __future__ import annotations

from flask import render_template

from dashboard import ultravox_client
from dashboard.agents import bp
from dashboard.agents.models import Agent
from dashboard.agents.pages import embed_snippet, render_builder
from dashboard.agents.ultravox_compile import compile_call
from dashboard.extensions import htmx
from dashboard.tenancy import current_customer, get_owned_or_404


@bp.get("/<int:agent_id>/embed")
def embed(agent_id: int):
    """The Embed section alone (reloaded after another section saved), or the page at it."""
    return render_builder(get_owned_or_404(Agent, agent_id), "embed")


@bp.post("/<int:agent_id>/test-call")
def test_call(agent_id: int):
    agent = get_owned_or_404(Agent, agent_id)
    call, error, status = None, None, 200
    if not ultravox_client.configured():
        error, status = "Ultravox is not configured (set ULTRAVOX_API_KEY), so test calls are off.", 409
    else:
        from dashboard.agents.ultravox_gateway import create_call

        try:
            call = create_call(compile_call(agent, current_customer.name))
        except ultravox_client.UltravoxError as failure:
            error, status = failure.message, 502
    if htmx:
        return render_template("agents/_test_call.html", call=call, error=error), status
    return render_builder(agent, test_call=call, test_call_error=error, status=status)


@bp.get("/<int:agent_id>/widget-preview")
def widget_preview(agent_id: int):
    """An otherwise blank page carrying the embed snippet, so the customer can try the widget as a visitor would."""
    agent = get_owned_or_404(Agent, agent_id)
    return render_template("agents/widget_test_page.html", agent=agent, snippet=embed_snippet(agent))
