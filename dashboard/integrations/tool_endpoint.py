"""The apps' tool endpoint: Ultravox (or the chat) calls an action of a connection here; the token stays here.

`POST /integrations/tools/<connection_id>/<action>` with the JSON arguments and the header TOOL_SECRET_HEADER,
whose value only this connection's compiled tools carry (an HMAC under SECRET_KEY of the connection's
`tool_key`, which changes at every reconnect); without it, or for an action the app does not offer, 404. The
answer is text/plain: what the model should hear.
"""
from __future__ import annotations

import hashlib
import hmac

from flask import Response, current_app, request

from dashboard.access import public
from dashboard.errors import problem, validated_json
from dashboard.extensions import csrf, db
from dashboard.integrations import bp, tokens
from dashboard.integrations.actions import ACTIONS, ActionFailed, ProviderAPI
from dashboard.integrations.models import ThirdPartyOAuth

TOOL_SECRET_HEADER = "X-AngelCX-Tool-Secret"


def tool_secret(connection: ThirdPartyOAuth) -> str:
    message = f"integration-tool:{connection.third_party_oauth_id}:{connection.tool_key}".encode()
    return hmac.new(str(current_app.config["SECRET_KEY"]).encode(), message, hashlib.sha256).hexdigest()


def _text(answer: str, status: int = 200) -> Response:
    return Response(answer, status=status, mimetype="text/plain")


@bp.post("/tools/<int:connection_id>/<action_name>")
@public
@csrf.exempt
def call_action(connection_id: int, action_name: str):
    connection = db.session.get(ThirdPartyOAuth, connection_id)
    offered = request.headers.get(TOOL_SECRET_HEADER, "")
    if connection is None or not connection.tool_key or not hmac.compare_digest(offered, tool_secret(connection)):
        # 404, not 401: whether another customer's connection exists is not told.
        return problem(404, "No such tool.")
    app = connection.app
    action = ACTIONS.get(app.slug, {}).get(action_name) if action_name in (app.actions or []) else None
    if action is None:
        return problem(404, "No such tool.")
    arguments = validated_json(action.json_schema())
    data, api_base = dict(connection.additional_data or {}), app.oauth["api_base"]
    db.session.commit()
    try:
        token = tokens.fresh_access_token(connection_id)
    except tokens.NeedsReconnect:
        return _text(f"{app.name} needs reconnecting by the business before it can be used; "
                     "tell the visitor someone will follow up.", 409)
    except tokens.TokenUnavailable as unavailable:
        return _text(f"{unavailable.message} {app.name} could not be used right now.", 503)
    try:
        return _text(action.run(ProviderAPI(api_base, token), data, arguments))
    except ActionFailed as failed:
        return _text(failed.message, 502)
