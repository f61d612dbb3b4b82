"""Sign-in sessions: fresh on sign-in, revoked on logout, idle and absolute timeouts, cookie flags, proxies."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select

from dashboard.auth.models import LoginSession
from dashboard.database import utcnow
from dashboard.extensions import db
from tests import factories
from tests.auth.conftest import cognito_config


def _login_session():
    db.session.expire_all()
    return db.session.scalars(select(LoginSession).order_by(LoginSession.login_session_id.desc())).first()


def sign_in(client, customer):
    db.session.commit()
    response = client.post("/auth/login", data={"email": customer.email, "password": factories.PASSWORD})
    assert response.status_code == 302
    return client


def test_sign_in_starts_a_fresh_session(fresh_client, customer):
    with fresh_client.session_transaction() as session:
        session["planted_by_attacker"] = "x"
        session["_user_id"] = str(customer.customer_id)  # a forged id alone signs nobody in
    assert fresh_client.get("/").status_code == 302
    sign_in(fresh_client, customer)
    with fresh_client.session_transaction() as session:
        assert "planted_by_attacker" not in session
        token = session["login_token"]
    login = _login_session()
    assert login.customer_id == customer.customer_id and login.revoked_at is None
    assert token not in login.token_hash  # only the hash is stored
    assert fresh_client.get("/").status_code == 200


def test_two_sign_ins_are_two_sessions_and_logout_ends_only_one(make_app, customer):
    app = make_app()
    first, second = sign_in(app.test_client(), customer), sign_in(app.test_client(), customer)
    first.post("/auth/logout")
    assert first.get("/").status_code == 302
    assert second.get("/").status_code == 200


def test_a_copied_cookie_stops_working_after_logout(make_app, customer):
    app = make_app()
    client = sign_in(app.test_client(), customer)
    copied = client.get_cookie("session").value
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/").status_code == 200  # the copy works while the session lives…
    client.post("/auth/logout")
    assert thief.get("/").headers["Location"].startswith("/auth/login")  # …and not after logout
    assert _login_session().revoked_at is not None


def _age(**changes):
    login = _login_session()
    for name, value in changes.items():
        setattr(login, name, value)
    db.session.commit()


def test_an_idle_session_expires(fresh_client, customer, app):
    sign_in(fresh_client, customer)
    _age(last_seen_at=utcnow() - timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] + 1))
    assert fresh_client.get("/").status_code == 302
    assert _login_session().revoked_at is not None


def test_activity_keeps_a_session_alive(fresh_client, customer, app):
    sign_in(fresh_client, customer)
    _age(last_seen_at=utcnow() - timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] - 1))
    assert fresh_client.get("/").status_code == 200
    assert utcnow() - _login_session().last_seen_at < timedelta(minutes=1)


def test_a_session_ends_after_the_absolute_timeout_however_active(fresh_client, customer, app):
    sign_in(fresh_client, customer)
    _age(created_at=utcnow() - timedelta(hours=app.config["SESSION_MAX_HOURS"], minutes=1), last_seen_at=utcnow())
    assert fresh_client.get("/").status_code == 302


def test_timeouts_are_configurable(make_app, customer):
    client = sign_in(make_app(SESSION_IDLE_MINUTES=5).test_client(), customer)
    _age(last_seen_at=utcnow() - timedelta(minutes=6))
    assert client.get("/").status_code == 302


def test_session_cookie_is_secure_httponly_and_samesite_behind_https(make_app, customer):
    db.session.commit()
    response = make_app(SESSION_COOKIE_SECURE=True).test_client().post(
        "/auth/login", base_url="https://localhost", data={"email": customer.email, "password": factories.PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def _redirect_uri(app, **headers) -> str:
    location = app.test_client().get("/auth/cognito", headers=headers).headers["Location"]
    return parse_qs(urlsplit(location).query)["redirect_uri"][0]


def test_forwarded_proto_is_honoured_only_behind_a_configured_proxy(make_app, forging_issuer):
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "app.angelcx.example"}
    direct = make_app(**cognito_config(forging_issuer.issuer))
    assert _redirect_uri(direct, **forwarded) == "http://localhost/auth/callback"
    proxied = make_app(**cognito_config(forging_issuer.issuer), TRUSTED_PROXY_COUNT=1)
    assert _redirect_uri(proxied, **forwarded) == "https://app.angelcx.example/auth/callback"


def test_purge_deletes_ended_and_expired_sign_ins_and_keeps_live_ones(app, customer):
    from datetime import timedelta

    from dashboard.auth.models import LoginSession
    from dashboard.database import utcnow
    from dashboard.extensions import db

    now = utcnow()
    rows = {
        "live": LoginSession(customer_id=customer.customer_id, token_hash="a" * 64, created_at=now, last_seen_at=now),
        "revoked": LoginSession(customer_id=customer.customer_id, token_hash="b" * 64, created_at=now,
                                last_seen_at=now, revoked_at=now),
        "idle": LoginSession(customer_id=customer.customer_id, token_hash="c" * 64, created_at=now,
                             last_seen_at=now - timedelta(days=1)),
        "old": LoginSession(customer_id=customer.customer_id, token_hash="d" * 64, created_at=now - timedelta(days=2),
                            last_seen_at=now),
    }
    db.session.add_all(rows.values())
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["purge-sessions"])
    assert "3 ended sign-in sessions deleted." in result.output
    assert [s.token_hash[0] for s in db.session.scalars(db.select(LoginSession))] == ["a"]
