"""The Embed section: the snippet, the compiled call, its Test call, and a blank test page with the snippet."""
from __future__ import annotations

import json

from flask import render_template, url_for

from dashboard import ultravox_client
from dashboard.agents import bp
from dashboard.agents.builder.sections import render_builder, section
from dashboard.agents.models import Agent
from dashboard.agents.ultravox_compile import compile_call
from dashboard.agents.widget.operations import widget_token
from dashboard.extensions import talisman
from dashboard.fragments import wants_fragment
from dashboard.security_headers import WIDGET_TEST_PAGE
from dashboard.tenancy import current_customer, get_owned_or_404


def embed_snippet(agent: Agent) -> str:
    """The tag a customer pastes into its site: the widget script and the agent's signed public token."""
    script = url_for("static", filename="js/widget.js", _external=True)
    return f'<script src="{script}" data-agent="{widget_token(agent)}" async></script>'


@section("embed", "Embed", 80)
def embed_context(agent: Agent) -> dict:
    return {"snippet": embed_snippet(agent), "ultravox_configured": ultravox_client.configured(),
            "call_json": json.dumps(compile_call(agent, current_customer.name, reveal_secrets=False), indent=2)}


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
    if wants_fragment():
        return render_template("agents/_test_call.html", call=call, error=error), status
    return render_builder(agent, test_call=call, test_call_error=error, status=status)


@bp.get("/<int:agent_id>/widget-preview")
@talisman(**WIDGET_TEST_PAGE)  # the microphone, and the call's media servers
def widget_preview(agent_id: int):
    """An otherwise blank page carrying the embed snippet, so the customer can try the widget as a visitor would."""
    agent = get_owned_or_404(Agent, agent_id)
    return render_template("agents/widget_test_page.html", agent=agent, snippet=embed_snippet(agent))
