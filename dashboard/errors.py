"""Errors: HTML pages for people, application/problem+json (RFC 9457) for the API, webhooks and widget."""
from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from http import HTTPStatus

from flask import Flask, Response, abort, render_template, request
from flask_wtf.csrf import CSRFError
from jsonschema import Draft202012Validator
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from dashboard.pagination import InvalidCursor

PROBLEM_MIMETYPE = "application/problem+json"
JSON_PATH_PREFIXES = ("/api/", "/webhooks/", "/widget/")
MESSAGES = {
    400: "The request could not be understood. Please check what you sent and try again.",
    403: "You do not have access to this.",
    404: "We could not find that page.",
    405: "That action is not allowed here.",
    413: "That upload is too large.",
    422: "Some of what you sent is not valid.",
    429: "Too many attempts. Please wait a moment and try again.",
    500: "Something went wrong on our side. It has been logged; please try again.",
    503: "The service is briefly unavailable and nothing was changed. Please try again in a few seconds.",
}


def problem(status: int, detail: str | None = None, *, errors: Iterable[Mapping] | None = None,
            title: str | None = None, type: str = "about:blank", headers: Mapping | None = None,
            **members) -> Response:
    """An RFC 9457 problem response: `errors` lists every field problem as {"path": JSON Pointer, "message"}."""
    body = {"type": type, "title": title or _phrase(status), "status": status,
            "detail": detail or MESSAGES.get(status, _phrase(status)), **members}
    if errors is not None:
        body["errors"] = list(errors)
    return Response(json.dumps(body), status=status, headers=dict(headers or {}), mimetype=PROBLEM_MIMETYPE)


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def json_pointer(parts: Sequence) -> str:
    """The RFC 6901 JSON Pointer to a value in a document: ("messages", 0, "timestamp") → /messages/0/timestamp."""
    return "".join("/" + str(part).replace("~", "~0").replace("/", "~1") for part in parts)


def field_problem(parts: Sequence, message: str) -> dict:
    """One entry of a problem's `errors`: where in the body (a JSON Pointer; "" is the whole body) and what is wrong."""
    return {"path": json_pointer(parts), "message": message}


def schema_problems(schema: dict, document) -> list[dict]:
    """Every way `document` breaks the JSON Schema `schema`, in document order, as field problems."""
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    found = sorted(validator.iter_errors(document), key=lambda e: [str(p) for p in e.absolute_path])
    return [field_problem(list(error.absolute_path), _message(error)) for error in found]


def _message(error) -> str:
    """The validator's message, except a pattern's: a regex means nothing to people, so a schema that describes
    what the pattern stands for ("an email address") says that instead."""
    if error.validator == "pattern" and isinstance(error.schema, dict) and error.schema.get("description"):
        return f"must be {error.schema['description']}"
    return error.message


def request_json():
    """The request body's JSON document, or a 400 problem when it is not JSON."""
    document = request.get_json(silent=True)
    if document is None:
        abort(problem(400, "The body must be JSON (Content-Type: application/json)."))
    return document


def refuse_invalid(errors: list[dict]) -> None:
    """A 422 problem listing every field problem, when there is any."""
    if errors:
        abort(problem(422, "The body is not valid.", errors=errors))


def validated_json(schema: dict):
    """The request's JSON document when it matches `schema`; else a 400 or a 422 naming every problem."""
    document = request_json()
    refuse_invalid(schema_problems(schema, document))
    return document


def validated_args(properties: dict) -> dict:
    """The request's query arguments named in `properties` (JSON Schemas for strings) when they match;
    else a 422 naming every bad argument (its path is "/<name>"). Arguments not named are ignored."""
    args = {name: request.args[name] for name in properties if name in request.args}
    problems = schema_problems({"type": "object", "properties": properties}, args)
    if problems:
        abort(problem(422, "The query string is not valid.", errors=problems))
    return args


def wants_json() -> bool:
    return request.path.startswith(JSON_PATH_PREFIXES) or (
        request.accept_mimetypes.best in ("application/json", PROBLEM_MIMETYPE)
    )


def render_error(code: int, description: str | None = None, headers: Mapping | None = None):
    message = description or MESSAGES.get(code, "Something went wrong.")
    if wants_json():
        return problem(code, message, headers=headers)
    return render_template("errors/error.html", code=code, message=message), code, dict(headers or {})


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.response is not None:  # abort(response): the view built its own answer
            return error.response
        # Werkzeug's default descriptions are written for developers; ours are for people,
        # unless a view passed its own (abort(400, "…")).
        default = type(error).description
        description = error.description if error.description != default else None
        # Keeps what the exception adds to its answer (Allow on a 405, Retry-After on a 429, ...).
        headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
        return render_error(error.code or 500, description, headers)

    @app.errorhandler(InvalidCursor)
    def invalid_cursor(error: InvalidCursor):
        return render_error(400, f"{error} Start again from the first page.")

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_error(400, "This form has expired (missing or stale CSRF token). Reload the page and try again.")

    @app.errorhandler(OperationalError)
    def database_unavailable(error: OperationalError):
        # The database refused or dropped the connection (or a lock timed out): the transaction was not
        # committed, so the client may simply try again. Only the error's class is logged (no parameters).
        app.logger.warning("Database unavailable on %s %s: %s", request.method, request.path,
                           type(error.orig).__name__)
        from dashboard.extensions import db

        try:
            db.session.rollback()
        except Exception:  # the connection is gone; the session is removed with the app context
            app.logger.debug("rollback after a database outage failed", exc_info=True)
        return render_error(503, headers={"Retry-After": "5"})

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        from dashboard.extensions import db

        db.session.rollback()
        return render_error(InternalServerError.code)
