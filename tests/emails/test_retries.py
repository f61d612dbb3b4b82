"""Follow-up emails are retried by the job system: with backoff while SMTP is down, from the send log once failed
for good, and with the same Message-ID when the worker died in the middle of sending."""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from dashboard.database import utcnow
from dashboard.emails.models import EmailLog
from dashboard.extensions import db
from tests import factories
from tests.emails.conftest import Inbox, _free_port, smtp_settings
from tests.emails.test_sending import arrange, logs
from tests.live_servers import ROOT, app_environment, wait_for


def rerun_analysis(client, conversation) -> None:
    """The transcript's "Re-run analysis": the analysis job, which records the follow-up job with it."""
    assert client.post(f"/conversations/{conversation.session_id}/analysis").status_code == 302


def sweep(app) -> str:
    result = app.test_cli_runner().invoke(args=["jobs", "sweep"])
    assert result.exit_code == 0, result.output
    return result.output


def wait_until_due(entry: EmailLog) -> None:
    time.sleep(max((entry.next_attempt_at - utcnow()).total_seconds(), 0) + 0.05)


def test_with_smtp_down_the_email_is_retried_with_backoff_and_sent_once_it_is_up(app, customer, smtp, login_as):
    app.config["JOBS_RETRY_BASE_SECONDS"] = 1
    conversation, _ = arrange(customer)
    client = login_as(customer)
    smtp.stop()
    rerun_analysis(client, conversation)
    [entry] = logs()
    assert (entry.status, entry.attempts) == ("retrying", 1)
    assert "refused the connection" in entry.error
    assert utcnow() < entry.next_attempt_at <= utcnow() + (entry.next_attempt_at - entry.sent_at)
    page = client.get("/emails/").get_data(as_text=True)
    assert "Retrying" in page and "1 attempt; next try" in page

    smtp.start()
    wait_until_due(entry)
    assert "1 handed over" in sweep(app)
    [entry] = logs()
    assert (entry.status, entry.attempts, entry.error, entry.next_attempt_at) == ("sent", 2, None, None)
    [message] = smtp.messages
    assert message["Message-ID"] == entry.message_id  # chosen when the row was written, before the first attempt
    assert "2 attempts" in client.get("/emails/").get_data(as_text=True)


def test_after_the_last_attempt_it_failed_for_good_and_the_send_log_retries_it(app, customer, smtp, login_as):
    app.config.update(JOBS_RETRY_BASE_SECONDS=1, EMAIL_MAX_ATTEMPTS=2)
    conversation, _ = arrange(customer)
    client = login_as(customer)
    smtp.stop()
    rerun_analysis(client, conversation)
    wait_until_due(logs()[0])
    sweep(app)
    [entry] = logs()
    assert (entry.status, entry.attempts, entry.next_attempt_at) == ("failed", 2, None)
    from dashboard.jobs import Job

    dead = db.session.scalars(select(Job).where(Job.state == "dead")).one()
    assert dead.kind == "dashboard.emails.sending:deliver_email" and "refused the connection" in dead.last_error
    page = client.get("/emails/?status=failed").get_data(as_text=True)
    assert "2 attempts" in page and f"/emails/log/{entry.email_log_id}/retry" in page

    smtp.start()
    response = client.post(f"/emails/log/{entry.email_log_id}/retry")
    assert response.status_code == 303
    [entry] = logs()
    assert (entry.status, entry.attempts) == ("sent", 3)
    assert [m["Message-ID"] for m in smtp.messages] == [entry.message_id]
    # Sent now: a second "Retry" (a stale page, a double click) sends nothing more.
    client.post(f"/emails/log/{entry.email_log_id}/retry")
    assert len(smtp.messages) == 1


def test_another_customers_send_log_row_cannot_be_retried(app, customer, other_customer, smtp, login_as):
    conversation, _ = arrange(other_customer)
    smtp.stop()
    app.config["EMAIL_MAX_ATTEMPTS"] = 1
    other = app.test_client()
    other.post("/auth/login", data={"email": other_customer.email, "password": factories.PASSWORD})
    rerun_analysis(other, conversation)
    [entry] = logs()
    assert entry.status == "failed"
    assert login_as(customer).post(f"/emails/log/{entry.email_log_id}/retry").status_code == 404
    assert logs()[0].status == "failed"


class StallingInbox(Inbox):
    """Takes the first message and then never answers, as a server does when the sending worker is killed."""

    async def handle_DATA(self, server, session, envelope):
        answer = await super().handle_DATA(server, session, envelope)
        if len(self.received) == 1:
            await asyncio.sleep(30)
        return answer


@pytest.fixture
def stalling_smtp():
    inbox, port = StallingInbox(), _free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def test_an_email_stuck_sending_after_its_worker_died_is_sent_again_with_the_same_message_id(
        make_app, migrated, stalling_smtp, tmp_path):
    inbox, port = stalling_smtp

    class Server:  # what smtp_settings reads
        pass

    Server.port = port
    settings = {**smtp_settings(Server, tmp_path / "outbox"), "MAIL_SERVER": "127.0.0.1"}
    app = make_app(**settings)
    with app.app_context():
        conversation, _ = arrange(factories.make_customer())
        from dashboard.conversations.analysis import analyze_conversation
        from dashboard.jobs import defer

        defer(analyze_conversation, conversation.session_id)
        db.session.commit()
    # A worker process (here `flask jobs sweep`, which runs due jobs inline) takes the jobs and is killed
    # while the mail server has the message but has not answered.
    env = app_environment(migrated, tmp_path / "instance", MAIL_SERVER="127.0.0.1", MAIL_PORT=port,
                          MAIL_DEFAULT_SENDER="no-reply@angelcx.test", JOBS_LEASE_SECONDS=1)
    worker = subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi.py", "jobs", "sweep"], cwd=ROOT, env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        wait_for(lambda: len(inbox.received) == 1, 30, "the first attempt reaching the mail server")
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(10)
    with app.app_context():
        [entry] = logs()
        assert (entry.status, entry.attempts) == ("sending", 1)  # stuck, as the issue found it
        time.sleep(1.1)  # the dead worker's lease runs out
        assert "1 jobs recovered from stopped workers" in sweep(app)
        [entry] = logs()
        assert (entry.status, entry.attempts) == ("sent", 2)
        first, second = inbox.messages
        assert first["Message-ID"] == second["Message-ID"] == entry.message_id
