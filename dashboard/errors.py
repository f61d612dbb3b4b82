"""Error pages: HTML for people, JSON under /api/ and for the webhooks."""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

MESSAGES = {
    400: "The request could not be understood. Please check what you sent and try again.",
    403: "You do not have access to this.",
    404: "We could not find that page.",
    405: "That action is not allowed here.",
    413: "That upload is too large.",
    422: "Some of what you sent is not valid.",
    429: "Too many attempts. Please wait a moment and try again.",
    500: "Something went wrong on our side. It has been logged; please try again.",
}


def wants_json() -> bool:
    return request.path.startswith(("/api/", "/webhooks/")) or (
        request.accept_mimetypes.best == "application/json"
    )


def render_error(code: int, description: str | None = None):
    message = description or MESSAGES.get(code, "Something went wrong.")
    if wants_json():
        return jsonify(error={"code": code, "message": message}), code
    return render_template("errors/error.html", code=code, message=message), code


def register(app: Flask) -> None:
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.response is not None:  # abort(response): the view built its own answer
            return error.response
        # Werkzeug's default descriptions are written for developers; ours are for people,
        # unless a view passed its own (abort(400, "…")).
        default = type(error).description
        description = error.description if error.description != default else None
        return render_error(error.code or 500, description)

    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return render_error(400, "This form has expired (missing or stale CSRF token). Reload the page and try again.")

    @app.errorhandler(Exception)
    def unexpected_error(error: Exception):
        if isinstance(error, HTTPException):
            return http_error(error)
        app.logger.exception("Unhandled error on %s %s", request.method, request.path)
        from dashboard.extensions import db

        db.session.rollback()
        return render_error(InternalServerError.code)
