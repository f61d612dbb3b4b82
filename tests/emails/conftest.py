"""Fixtures for the email tests: a real SMTP server (aiosmtpd) on 127.0.0.1, and the app configured to use it."""
from __future__ import annotations

import socket
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller

REJECTED_DOMAIN = "rejected.example"  # the stand-in refuses recipients here, as a real server refuses unknown users
BUSY_DOMAIN = "busy.example"  # ...and asks to try later here (a full mailbox, greylisting)


class Inbox:
    """What the SMTP server received: (envelope sender, envelope recipients, parsed message)."""

    def __init__(self):
        self.received: list[tuple[str, list[str], EmailMessage]] = []

    @property
    def messages(self) -> list[EmailMessage]:
        return [message for _, _, message in self.received]

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.endswith("@" + REJECTED_DOMAIN):
            return "550 5.1.1 No such user here"
        if address.endswith("@" + BUSY_DOMAIN):
            return "450 4.2.1 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        message = message_from_bytes(envelope.content, policy=policy.default)
        self.received.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"


def _free_port() -> int:
    # aiosmtpd's Controller connects to its own port to check it started, so it cannot be given port 0.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class SMTPServer:
    def __init__(self):
        self.inbox = Inbox()
        self.port = _free_port()
        self.controller = None

    @property
    def messages(self) -> list[EmailMessage]:
        return self.inbox.messages

    def start(self):
        # A Controller cannot be started twice: a restart is a new one on the same port and inbox.
        self.controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None


@pytest.fixture
def smtp():
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


def smtp_settings(server: SMTPServer, outbox) -> dict:
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": server.port, "MAIL_USE_TLS": False, "MAIL_USE_SSL": False,
            "MAIL_TIMEOUT": 5, "MAIL_DEFAULT_SENDER": "no-reply@angelcx.test", "MAIL_OUTBOX_DIR": str(outbox),
            # Flask-Mail suppresses sending under TESTING unless told otherwise; these tests send for real.
            "MAIL_SUPPRESS_SEND": False}


@pytest.fixture
def app(make_app, smtp, tmp_path):
    """The app sending through the test's SMTP server (overrides the shared `app` for the email tests)."""
    app = make_app(**smtp_settings(smtp, tmp_path / "outbox"))
    with app.app_context():
        yield app
