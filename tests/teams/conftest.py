"""The teams tests send invitations through a real SMTP server (aiosmtpd on loopback), as the email tests do."""
from __future__ import annotations

import re

import pytest

from tests.emails.conftest import SMTPServer, smtp_settings


@pytest.fixture
def smtp():
    server = SMTPServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def app(make_app, smtp, tmp_path):
    app = make_app(**smtp_settings(smtp, tmp_path / "outbox"))
    with app.app_context():
        yield app


def invitation_link(smtp, recipient: str) -> str:
    """The path of the last invitation link emailed to `recipient`."""
    for message in reversed(smtp.messages):
        if message["To"] == recipient:
            return re.search(r"https?://[^/\s]+(/invitations/\S+)", message.get_content()).group(1)
    raise AssertionError(f"no invitation reached {recipient}")
