"""The published contract: an OpenAPI 3.1 document assembled from each operation's declared JSON Schemas
(`dashboard/api/contract.py`, the same ones the views validate with) and the URL map, plus a `webhooks` section
describing every outgoing event's payload."""
from __future__ import annotations

import re

from flask import current_app

from dashboard.api.contract import Contract
from dashboard.crm import schemas
from dashboard.webhooks_out.operations import API_VERSION, EVENTS

PROBLEM = {
    "type": "object", "required": ["type", "title", "status", "detail"],
    "properties": {"type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
                   "detail": {"type": "string"},
                   "errors": {"type": "array", "description": "Every problem, each at a JSON Pointer into the body "
                                                              "(or /<name> for a query argument)",
                              "items": {"type": "object", "required": ["path", "message"],
                                        "properties": {"path": {"type": "string"}, "message": {"type": "string"}}}}},
}
ERRORS = {
    400: "Not JSON, hostile input, or a cursor this list did not issue",
    401: "No valid API key (Authorization: Bearer <key>)",
    404: "No such object for this business (another business's id included)",
    409: "A uniqueness rule, or an Idempotency-Key still in flight",
    422: "Invalid: every problem is listed in errors",
    503: "The database is briefly unavailable; nothing was stored (Retry-After)",
}
ID_PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")
_time = {"type": ["string", "null"], "format": "date-time"}
CONVERSATION_OBJECT = {
    "type": "object", "required": ["id", "object", "channel", "status"],
    "properties": {"id": {"type": "integer"}, "object": {"const": "conversation"},
                   "agent_id": {"type": ["integer", "null"]}, "channel": {"enum": ["voice", "chat"]},
                   "status": {"enum": ["active", "ended"]}, "created_at": _time, "ended_at": _time,
                   "call_minutes_used": {"type": "string"}, "text_messages_used": {"type": "integer"},
                   "analysis": {"type": "object", "description": "conversation.analyzed only", "properties": {
                       "call_summary": {"type": ["string", "null"]}, "intent": {"type": ["string", "null"]},
                       "sentiment": {"type": ["number", "null"]}, "category": {"type": ["string", "null"]},
                       "action": {"type": ["string", "null"]}}}},
}
EMAIL_OBJECT = {
    "type": "object", "required": ["id", "object", "status"],
    "properties": {"id": {"type": "integer"}, "object": {"const": "email"},
                   "conversation_id": {"type": ["integer", "null"]}, "agent_id": {"type": ["integer", "null"]},
                   "recipient_email": {"type": "string"}, "subject": {"type": "string"},
                   "status": {"enum": ["sent", "failed"]}, "error": {"type": ["string", "null"]},
                   "attempts": {"type": "integer"}, "sent_at": _time},
}
CONTRACT_OBJECT = {
    "type": "object", "required": ["id", "object", "status"],
    "properties": {"id": {"type": "integer"}, "object": {"const": "contract"}, "plan_id": {"type": "integer"},
                   "status": {"type": "string"}, "refreshed_date": _time, "expiry_date": _time,
                   "cancel_at_period_end": {"type": "boolean"}, "ended_at": _time},
}
EVENT_OBJECTS = {
    "conversation.started": CONVERSATION_OBJECT, "conversation.ended": CONVERSATION_OBJECT,
    "conversation.analyzed": CONVERSATION_OBJECT, "email.sent": EMAIL_OBJECT, "email.failed": EMAIL_OBJECT,
    "lead.created": schemas.LEAD_OUT, "lead.updated": schemas.LEAD_OUT,
    "interaction.created": schemas.INTERACTION_OUT, "contract.updated": CONTRACT_OBJECT,
    "ping": {"type": "object", "properties": {"webhook_endpoint_id": {"type": "integer"}}},
}


def _path_parameter(converter: str | None, name: str) -> dict:
    prefixes = {"lead": "lead", "service": "service", "match": "match", "interaction": "int",
                "analysis": "analysis", "assignment": "assignment"}
    if converter in prefixes:
        prefix = prefixes[converter]
        schema = {"type": "string", "pattern": f"^({prefix}_)?[0-9]{{1,10}}$", "examples": [f"{prefix}_12"]}
    else:
        schema = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
    return {"name": name, "in": "path", "required": True, "schema": schema}


def _json(schema: dict) -> dict:
    content = {"schema": schema}
    if schema.get("examples"):
        content["example"] = schema["examples"][0]
    return {"application/json": content}


def operation(contract: Contract, method: str, parameters: list, operation_id: str) -> dict:
    success = {"description": "No content"} if contract.response is None else {
        "description": "OK", "content": _json(contract.response)}
    errors = {400, 401, 503} | ({404} if parameters or method in ("put", "delete") else set())
    if contract.body is not None or contract.query:
        errors.add(422)
    if method == "post" or contract.conflict:
        errors |= {409, 422}  # Idempotency-Key reuse with another body is a 422 too
    if method in ("post", "put"):
        errors.add(404)  # an id in the body naming another business's object
    responses = {str(contract.status): success}
    for status in sorted(errors):
        responses[str(status)] = {"description": ERRORS[status],
                                  "content": {"application/problem+json": {"schema": PROBLEM}}}
    query = [{"name": name, "in": "query", "required": False, "schema": schema}
             for name, schema in contract.query.items()]
    document = {"operationId": operation_id, "summary": contract.summary, "tags": [contract.tag],
                "parameters": parameters + query, "responses": responses}
    if contract.description:
        document["description"] = contract.description
    if contract.body is not None:
        document["requestBody"] = {"required": True, "content": _json(contract.body)}
    return document


def document() -> dict:
    """The OpenAPI 3.1 document of every /api/v1 operation (each view's Contract) and the outgoing webhooks."""
    paths: dict = {}
    for rule in sorted(current_app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.endpoint.startswith("api."):
            continue
        contract = getattr(current_app.view_functions[rule.endpoint], "__contract__", None)
        if contract is None:
            raise LookupError(f"{rule.endpoint} has no @documented contract")
        path = ID_PARAMETER.sub(r"{\2}", rule.rule.removeprefix("/api/v1")) or "/"
        parameters = [_path_parameter(converter, name) for converter, name in ID_PARAMETER.findall(rule.rule)]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            paths.setdefault(path, {})[method.lower()] = operation(contract, method.lower(), parameters,
                                                                   rule.endpoint.removeprefix("api."))
    return {
        "openapi": "3.1.0",
        "info": {"title": "AngelCX API", "version": "v1",
                 "description": "CallCall.ai's data models (leads as /customers, services, matches, interactions, "
                                "business analyses, agent assignments), chats, and webhook endpoints. Errors are "
                                "application/problem+json (RFC 9457). Every POST accepts an Idempotency-Key header."},
        "servers": [{"url": "/api/v1"}],
        "security": [{"apiKey": []}],
        "components": {"securitySchemes": {"apiKey": {"type": "http", "scheme": "bearer",
                                                      "description": "An API key from Settings → API keys"}}},
        "paths": paths,
        "webhooks": {event: _webhook(event) for event in (*EVENTS, "ping")},
    }


def _webhook(event: str) -> dict:
    envelope = {
        "type": "object", "required": ["id", "object", "type", "created", "api_version", "data"],
        "properties": {"id": {"type": "string", "examples": ["evt_3f9c0a"]}, "object": {"const": "event"},
                       "type": {"const": event}, "created": {"type": "integer", "description": "Unix time"},
                       "api_version": {"const": API_VERSION},
                       "data": {"type": "object", "required": ["object"], "properties": {"object": EVENT_OBJECTS[event]}}},
    }
    return {"post": {
        "summary": f"{event}", "security": [], "description": "POSTed to each enabled endpoint subscribed to the event, signed in the "
                                              "AngelCX-Signature header (README: Outgoing webhooks).",
        "requestBody": {"required": True, "content": {"application/json": {"schema": envelope}}},
        "responses": {"2XX": {"description": "Received; any other answer is retried"}},
    }}
