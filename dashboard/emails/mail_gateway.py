"""The only way mail leaves the app: SMTP through Flask-Mail when MAIL_SERVER is set, else .eml files in the outbox."""
from __future__ import annotations

import os
import smtplib
import ssl
import uuid
from dataclasses import dataclass
from email.utils import formataddr, make_msgid
from pathlib import Path

import flask_mail
from flask import current_app

from dashboard import metrics
from dashboard.database import utcnow
from dashboard.jobs import GiveUp, Retry


class MailError(Exception):
    """The message could not be sent; `message` says why, for people (never with credentials). `permanent`:
    sending it again cannot help (the server answered 5xx about the recipient or the message, RFC 5321 §4.2.1;
    the message itself is malformed). A refused login stays worth retrying: it is fixed in the settings."""

    def __init__(self, message: str, permanent: bool = False):
        super().__init__(message)
        self.message = message
        self.permanent = permanent

    def for_the_job(self, context: str = "") -> GiveUp | Retry:
        """What a job that sends mail raises for this failure: GiveUp (dead at once) when sending again cannot
        help, else Retry (the job system's backoff). `context` goes before the reason."""
        return (GiveUp if self.permanent else Retry)(context + self.message)


@dataclass(frozen=True)
class OutgoingEmail:
    recipient: str
    subject: str
    body: str  # text/plain
    reply_to: str | None = None
    sender_name: str | None = None  # shown before MAIL_DEFAULT_SENDER, e.g. the business name
    message_id: str | None = None  # the Message-ID header; a new one when None
    html: str | None = None  # an HTML alternative to `body`: the message is then multipart/alternative


def new_message_id() -> str:
    """A Message-ID in our sending domain, to store before the first attempt so every retry carries it."""
    domain = current_app.config["MAIL_DEFAULT_SENDER"].rpartition("@")[2] or "localhost"
    return make_msgid(domain=domain)


def configured() -> bool:
    """True when mail goes to an SMTP server; False when it is written to the outbox folder."""
    return bool(current_app.config.get("MAIL_SERVER"))


def send(email: OutgoingEmail) -> Path | None:
    """Send `email`, or write it to MAIL_OUTBOX_DIR and answer the file's path; MailError when that fails."""
    message = _message(email)
    if configured():
        _send_smtp(message)
        return None
    return _write_outbox(message)


def _message(email: OutgoingEmail) -> flask_mail.Message:
    # From is always our own address (the business's domain would fail SPF/DMARC from our server);
    # replies go to the address the business chose.
    address = current_app.config["MAIL_DEFAULT_SENDER"]
    sender = formataddr((" ".join(email.sender_name.split()), address)) if email.sender_name else address
    message = _Message(subject=email.subject, recipients=[email.recipient], body=email.body,
                       html=_html_document(email.html) if email.html else None, sender=sender,
                       reply_to=email.reply_to)
    if email.message_id:
        message.msgId = email.message_id
    return message


class _Message(flask_mail.Message):
    """Flask-Mail's message, except that text with an HTML alternative is a multipart/alternative message itself
    (Flask-Mail wraps it in a multipart/mixed, meant for attachments, which these emails never have)."""

    def _message(self):
        message = super()._message()
        if not self.alts or self.attachments:
            return message
        [alternative] = message.get_payload()
        for name, value in message.items():
            if name.lower() not in ("content-type", "mime-version"):
                alternative[name] = value
        return alternative


def _html_document(fragment: str) -> str:
    return f'<!doctype html>\n<html><head><meta charset="utf-8"></head><body>\n{fragment}</body></html>\n'


class _Connection(flask_mail.Connection):
    """Flask-Mail's connection with a timeout and verified TLS (Flask-Mail's own has neither)."""

    def configure_host(self) -> smtplib.SMTP:
        timeout = current_app.config.get("MAIL_TIMEOUT", 15)
        context = ssl.create_default_context()
        if self.mail.use_ssl:
            host = smtplib.SMTP_SSL(self.mail.server, self.mail.port, timeout=timeout, context=context)
        else:
            host = smtplib.SMTP(self.mail.server, self.mail.port, timeout=timeout)
        try:
            if self.mail.use_tls:
                host.starttls(context=context)
            if self.mail.username and self.mail.password:
                host.login(self.mail.username, self.mail.password)
        except BaseException:
            host.close()
            raise
        return host


def _send_smtp(message: flask_mail.Message) -> None:
    state = current_app.extensions["mail"]
    where = f"{state.server}:{state.port}"
    try:
        with metrics.timed_call("smtp"), _Connection(state) as connection:
            connection.send(message)
    except smtplib.SMTPAuthenticationError as error:
        # The server's reply can echo what was sent; say only that the login was refused.
        raise MailError(f"The mail server at {where} refused the username and password ({error.smtp_code}).") from None
    except smtplib.SMTPRecipientsRefused as error:
        reasons = "; ".join(f"{addr}: {_reply(code, text)}" for addr, (code, text) in error.recipients.items())
        raise MailError(f"The mail server at {where} refused the recipient ({reasons}).",
                        permanent=all(_permanent(code) for code, _ in error.recipients.values())) from None
    except smtplib.SMTPResponseException as error:
        raise MailError(f"The mail server at {where} rejected the message ({_reply(error.smtp_code, error.smtp_error)}).",
                        permanent=_permanent(error.smtp_code)) from None
    except (smtplib.SMTPException, ssl.SSLError) as error:
        raise MailError(f"The mail server at {where} failed: {type(error).__name__}.") from None
    except flask_mail.BadHeaderError:
        raise MailError("The subject or an address contains a line break.", permanent=True) from None
    except ConnectionRefusedError:
        raise MailError(f"The mail server at {where} refused the connection.") from None
    except TimeoutError:
        raise MailError(f"The mail server at {where} did not answer in time.") from None
    except OSError as error:
        raise MailError(f"The mail server at {where} could not be reached ({error.strerror or type(error).__name__}).") \
            from None


def _permanent(code: int) -> bool:
    """An SMTP reply that refuses for good (5xx); 4xx asks to try again later."""
    return 500 <= code < 600


def _reply(code: int, text: bytes | str) -> str:
    text = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {' '.join(text.split())[:200]}"


def _write_outbox(message: flask_mail.Message) -> Path:
    """One RFC 5322 file per message, written under a temporary name and renamed so readers never see half."""
    outbox = Path(current_app.config["MAIL_OUTBOX_DIR"])
    name = f"{utcnow():%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:12]}.eml"
    try:
        if message.has_bad_headers():
            raise flask_mail.BadHeaderError
        outbox.mkdir(parents=True, exist_ok=True)
        partial = outbox / f".{name}.part"
        partial.write_bytes(message.as_bytes())
        os.replace(partial, outbox / name)
        return outbox / name
    except flask_mail.BadHeaderError:
        raise MailError("The subject or an address contains a line break.") from None
    except OSError as error:
        raise MailError(f"The email could not be written to the outbox folder ({error.strerror}).") from None
