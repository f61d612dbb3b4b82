"""Logs are structured lines with a request id, and carry no personal data, not even from a failing SQL statement."""
from __future__ import annotations

import json

from flask import request
from sqlalchemy.exc import IntegrityError

from dashboard.auth.models import Customer
from dashboard.extensions import db
from tests import factories

EMAIL, PHONE, NOTE = "ava.private@example.net", "+14155550142", "Ava says her door code is 4711"


def _app_with_a_failing_signup(make_app, **settings):
    """The real app, plus one route that stores a duplicate customer from the request (an IntegrityError)."""
    app = make_app(**settings)

    def duplicate_signup():
        db.session.add(Customer(name=request.form["name"], email=request.form["email"], phone=request.form["phone"]))
        db.session.commit()
        return "stored"

    duplicate_signup.is_public = True  # as @public marks it
    app.add_url_rule("/test-only/signup", "test_only_signup", duplicate_signup, methods=["POST"])
    return app


def _json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_a_failing_request_logs_json_lines_with_its_request_id_and_no_personal_data(make_app, capsys):
    with make_app().app_context():
        factories.make_customer(email=EMAIL)
        db.session.commit()
    app = _app_with_a_failing_signup(make_app, LOG_FORMAT="json", WTF_CSRF_ENABLED=False)
    response = app.test_client().post("/test-only/signup", data={"name": NOTE, "email": EMAIL, "phone": PHONE},
                                      headers={"X-Request-ID": "req-0123456789"})
    assert response.status_code == 500
    assert response.headers["X-Request-ID"] == "req-0123456789"

    logged = capsys.readouterr().err
    lines = _json_lines(logged)
    error = next(line for line in lines if line["event"].startswith("Unhandled error on POST /test-only/signup"))
    assert error["level"] == "error" and error["request_id"] == "req-0123456789"
    assert "IntegrityError" in error["exception"]
    for secret in (EMAIL, PHONE, NOTE, "door code"):
        assert secret not in logged


def test_sql_errors_hide_their_parameters(app):
    factories.make_customer(email=EMAIL)
    db.session.commit()
    db.session.add(Customer(name=NOTE, email=EMAIL, phone=PHONE))
    try:
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        message = str(error)
    assert "SQL parameters hidden" in message
    assert NOTE not in message and PHONE not in message


def test_each_request_gets_an_id_and_a_hostile_one_is_replaced(make_app):
    client = make_app().test_client()
    generated = client.get("/auth/login").headers["X-Request-ID"]
    assert len(generated) == 32 and generated != client.get("/auth/login").headers["X-Request-ID"]
    assert client.get("/auth/login", headers={"X-Request-ID": "lb-7f3a9c21"}).headers["X-Request-ID"] == "lb-7f3a9c21"
    for hostile in ("x", "evil value with spaces", "a" * 200, "id\u00e9-12345678"):
        replaced = client.get("/auth/login", headers={"X-Request-ID": hostile}).headers["X-Request-ID"]
        assert replaced != hostile and len(replaced) == 32


def test_logs_are_readable_console_lines_in_development_and_json_when_asked(make_app, capsys):
    for settings, is_json in (({}, False), ({"LOG_FORMAT": "json"}, True)):
        app = make_app(**settings)
        with app.test_request_context():
            app.logger.warning("visitor %s called", EMAIL)
        line = capsys.readouterr().err.strip().splitlines()[-1]
        assert line.startswith("{") is is_json
        assert EMAIL not in line and "[email]" in line
