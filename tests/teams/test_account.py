"""A member's own account: forgot password (emailed, single use, an hour, rate-limited, tells nobody who has an
account, token stored hashed), change password (current one required, other sessions end), and the signed-in
sessions (listed, ended one by one or everywhere else). Every change is in the audit log."""
from __future__ import annotations

import hashlib
import re
from datetime import timedelta

from sqlalchemy import select

from dashboard.auth.models import AuditEvent, LoginSession, PasswordReset
from dashboard.auth.operations import owner_member
from dashboard.database import utcnow
from dashboard.jobs.models import Job
from tests import factories
from tests.emails.conftest import smtp_settings
from tests.teams.test_roles import member_client

CHROME_MAC = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"
FIREFOX_WIN = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0"


def reset_link(smtp, recipient: str) -> str:
    for message in reversed(smtp.messages):
        if message["To"] == recipient:
            return re.search(r"https?://[^/\s]+(/password/reset/\S+)", message.get_content()).group(1)
    raise AssertionError(f"no reset link reached {recipient}")


def _kinds(customer) -> list[str]:
    from dashboard.extensions import db

    return list(db.session.scalars(select(AuditEvent.kind).where(AuditEvent.customer_id == customer.customer_id)
                                   .order_by(AuditEvent.audit_event_id)))


def test_forgot_password_emails_a_single_use_link_and_says_the_same_for_unknown_emails(app, db, customer, smtp):
    owner = owner_member(customer)
    visitor = app.test_client()
    known = visitor.post("/password/forgot", data={"email": owner.email.upper()})
    unknown = visitor.post("/password/forgot", data={"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 200
    card = re.compile(r'<section class="card auth-card">.*?</section>', re.S)
    assert card.search(known.get_data(as_text=True)).group(0) == card.search(unknown.get_data(as_text=True)).group(0)
    assert "a link to choose a new one is on its way" in known.get_data(as_text=True)  # nothing tells who has an account
    assert [m["To"] for m in smtp.messages] == [owner.email]  # only the real member got an email

    link = reset_link(smtp, owner.email)
    token = link.rsplit("/", 1)[1]
    reset = db.session.scalars(select(PasswordReset)).one()
    assert reset.token_hash == hashlib.sha256(token.encode()).hexdigest()  # stored hashed
    stored = " ".join(str(value) for row in db.session.execute(select(PasswordReset)) for value in row[0].__dict__.values())
    jobs = " ".join(str(job.arguments) for job in db.session.scalars(select(Job)))
    assert "send_password_reset" in " ".join(db.session.scalars(select(Job.kind)))  # sent through the durable jobs
    assert token not in stored and token.split(".")[1] not in jobs  # neither the row nor the job holds the link

    signed_in = member_client(app, owner)  # a sign-in elsewhere ends when the password is reset
    assert visitor.get(link).status_code == 200
    short = visitor.post(link, data={"password": "short", "confirm": "short"})
    assert short.status_code == 422 and "Use 10 to 200 characters." in short.get_data(as_text=True)
    done = visitor.post(link, data={"password": "a brand new password", "confirm": "a brand new password"})
    assert done.status_code == 302 and done.headers["Location"].endswith("/auth/login")
    assert signed_in.get("/agents/").status_code == 302
    assert app.test_client().post("/auth/login", data={"email": owner.email, "password": factories.PASSWORD}).status_code == 401
    assert app.test_client().post("/auth/login", data={"email": owner.email, "password": "a brand new password"}).status_code == 302

    again = app.test_client().post(link, data={"password": "yet another password", "confirm": "yet another password"})
    assert again.status_code == 410 and "already used" in again.get_data(as_text=True)
    assert app.test_client().get(link[:-4] + "abcd").status_code == 404  # nor can one be made up
    assert {"password.reset_requested", "password.reset", "member.updated"} <= set(_kinds(customer))
    changed = db.session.scalars(select(AuditEvent).where(AuditEvent.kind == "member.updated")).one()
    assert changed.changes["password_hash"] == ["••••••", "••••••"] and changed.actor_member_id == owner.member_id


def test_a_reset_link_expires_after_an_hour_and_a_new_one_ends_nothing_else(app, db, customer, smtp):
    owner = owner_member(customer)
    app.test_client().post("/password/forgot", data={"email": owner.email})
    link = reset_link(smtp, owner.email)
    reset = db.session.scalars(select(PasswordReset)).one()
    assert timedelta(minutes=59) < reset.expires_at - reset.created_at <= timedelta(hours=1)
    reset.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    expired = app.test_client().post(link, data={"password": "a brand new password", "confirm": "a brand new password"})
    assert expired.status_code == 410 and "expired" in expired.get_data(as_text=True)
    assert app.test_client().post("/auth/login", data={"email": owner.email, "password": factories.PASSWORD}).status_code == 302


def test_a_member_gets_at_most_three_links_an_hour_and_an_address_five_requests(make_app, db, customer, smtp, tmp_path):
    app = make_app(RATELIMIT_ENABLED=True, PASSWORD_RESET_RATE_LIMIT="5 per 15 minutes",
                   **smtp_settings(smtp, tmp_path / "outbox"))
    owner = owner_member(customer)
    visitor = app.test_client()
    answers = [visitor.post("/password/forgot", data={"email": owner.email}).status_code for _ in range(6)]
    assert answers == [200, 200, 200, 200, 200, 429]
    assert len([m for m in smtp.messages if m["To"] == owner.email]) == 3


def test_a_cognito_only_member_is_sent_nothing_and_told_where_the_password_lives(app, db, customer, smtp):
    member = owner_member(customer)
    client = member_client(app, member)
    member.password_hash, member.cognito_id = None, "cognito-sub-1"  # signs in only through Cognito now
    db.session.commit()
    assert app.test_client().post("/password/forgot", data={"email": member.email}).status_code == 200
    assert smtp.messages == []
    page = client.get("/settings/account").get_data(as_text=True)
    assert "managed by your identity provider" in page and 'name="current"' not in page
    refused = client.post("/settings/account/password", data={"current": "x", "password": "a long password x",
                                                              "confirm": "a long password x"})
    assert refused.status_code == 422 and "managed by your identity provider" in refused.get_data(as_text=True)


def test_changing_the_password_needs_the_current_one_and_ends_the_other_sessions(app, db, customer):
    owner = owner_member(customer)
    here = app.test_client()
    here.post("/auth/login", data={"email": owner.email, "password": factories.PASSWORD}, headers={"User-Agent": CHROME_MAC})
    elsewhere = app.test_client()
    elsewhere.post("/auth/login", data={"email": owner.email, "password": factories.PASSWORD}, headers={"User-Agent": FIREFOX_WIN})

    wrong = here.post("/settings/account/password", data={"current": "not it", "password": "a brand new password",
                                                          "confirm": "a brand new password"})
    assert wrong.status_code == 422 and "That is not your current password." in wrong.get_data(as_text=True)
    empty = here.post("/settings/account/password", data={})
    assert empty.status_code == 422 and "Enter your current password." in empty.get_data(as_text=True)
    assert elsewhere.get("/agents/").status_code == 200

    done = here.post("/settings/account/password", data={"current": factories.PASSWORD, "password": "a brand new password",
                                                         "confirm": "a brand new password"})
    assert done.status_code == 302
    assert "1 other sign-in ended" in here.get("/settings/account").get_data(as_text=True)  # this session stays
    assert elsewhere.get("/agents/").status_code == 302  # the other one ended
    assert {"password.changed", "member.updated"} <= set(_kinds(customer))
    logged = here.get("/settings/audit?kind=password")
    assert logged.status_code == 200 and "password.changed" in logged.get_data(as_text=True)


def test_the_sessions_list_and_signing_out_one_or_everywhere_else(app, db, customer):
    owner = owner_member(customer)
    viewer = factories.make_member(customer, role="viewer")
    db.session.commit()
    here, laptop, phone = app.test_client(), app.test_client(), app.test_client()
    for client, agent in ((here, CHROME_MAC), (laptop, FIREFOX_WIN), (phone, "Mozilla/5.0 (iPhone) Safari/604.1")):
        client.post("/auth/login", data={"email": viewer.email, "password": factories.PASSWORD}, headers={"User-Agent": agent})
    member_client(app, owner)  # someone else's sign-in is not listed

    page = here.get("/settings/account").get_data(as_text=True)
    assert "Chrome on macOS" in page and "Firefox on Windows" in page and "Safari on iPhone" in page
    assert page.count("This session") == 1 and "127.0.0.1" in page and "started" in page and "last seen" in page
    assert owner.email not in page.split("Where you are signed in")[1]

    ids = dict(db.session.execute(select(LoginSession.user_agent, LoginSession.login_session_id)
                                  .where(LoginSession.member_id == viewer.member_id)).all())
    assert here.post(f"/settings/account/sessions/{ids[FIREFOX_WIN]}/end").status_code == 302  # a viewer may
    assert laptop.get("/agents/").status_code == 302 and phone.get("/agents/").status_code == 200
    owners = db.session.scalar(select(LoginSession.login_session_id).where(LoginSession.member_id == owner.member_id))
    assert here.post(f"/settings/account/sessions/{owners}/end").status_code == 404  # not theirs

    assert here.post("/settings/account/sessions/end-others").status_code == 302
    assert "Signed out everywhere else (1 session)" in here.get("/settings/account").get_data(as_text=True)
    assert phone.get("/agents/").status_code == 302
    assert here.post(f"/settings/account/sessions/{ids[CHROME_MAC]}/end").status_code == 302  # this one: signed out
    assert here.get("/agents/").status_code == 302
    assert _kinds(customer).count("session.ended") == 2 and "session.ended_others" in _kinds(customer)


def test_forms_say_what_to_do(app, db):
    page = app.test_client().post("/password/forgot", data={"email": ""})
    assert page.status_code == 422 and "Enter the email you sign in with." in page.get_data(as_text=True)
    login = app.test_client().get("/auth/login").get_data(as_text=True)
    assert 'href="/password/forgot"' in login


def test_reset_requests_are_counted_through_an_index():
    indexes = {tuple(index.columns.keys()) for index in PasswordReset.__table__.indexes}
    assert ("member_id", "created_at") in indexes


def test_purge_deletes_reset_links_a_day_past_their_hour(app, db, customer, smtp):
    owner = owner_member(customer)
    app.test_client().post("/password/forgot", data={"email": owner.email})
    app.test_client().post("/password/forgot", data={"email": owner.email})
    old, fresh = db.session.scalars(select(PasswordReset).order_by(PasswordReset.password_reset_id)).all()
    old.expires_at = utcnow() - timedelta(days=1, minutes=1)
    db.session.commit()
    assert app.test_cli_runner().invoke(args=["purge-sessions"]).exit_code == 0
    assert list(db.session.scalars(select(PasswordReset.password_reset_id))) == [fresh.password_reset_id]


def test_the_account_page_reads_the_sessions_in_constant_queries(app, db, customer):
    from tests.querycount import counting_queries

    owner = owner_member(customer)
    client = member_client(app, owner)

    def count() -> int:
        with counting_queries() as statements:
            assert client.get("/settings/account").status_code == 200
        return len(statements)

    few = count()
    assert few > 0
    for _ in range(10):
        factories.make_login_session(customer, owner)
    db.session.commit()
    assert count() == few
