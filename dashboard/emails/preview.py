"""A template's preview as typed: its subject and body filled with the test email's sample values, and the HTML
part when the template sends one. Nothing is saved; what the form would refuse is said, not raised."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from dashboard.emails.models import EmailTemplate
from dashboard.emails.operations import PLACEHOLDER_PATTERN, PLACEHOLDERS
from dashboard.emails.sending import render_with, sample_values
from dashboard.ids import id_arg

SUBJECT_MAX, BODY_MAX = 500, 20000  # the form's limits (forms.EmailTemplateForm)
CHECKED = (True, "y", "on", "true", "1")


@dataclass(frozen=True)
class Preview:
    subject: str
    body: str
    html: str | None  # markdown-it's output: raw HTML in the template or the values is escaped (emails/formatting.py)
    problems: list[str]


def preview_of(data: Mapping, customer_id: int) -> Preview:
    """`data` is the template form's fields (a request's form, or the form's own data)."""
    subject, body = str(data.get("email_subject") or ""), str(data.get("email_body") or "")
    problems = []
    unknown = sorted(set(PLACEHOLDER_PATTERN.findall(subject + body)) - set(PLACEHOLDERS))
    if unknown:
        problems.append(f"Unknown placeholder(s), left as typed: {', '.join(unknown)}.")
    if len(subject) > SUBJECT_MAX or len(body) > BODY_MAX:
        problems.append(f"The subject may have {SUBJECT_MAX:,} characters and the body {BODY_MAX:,}; "
                        "the preview shows only that much.")
        subject, body = subject[:SUBJECT_MAX], body[:BODY_MAX]
    try:
        agent_id = id_arg(str(data.get("agent_id")))  # another business's agent is not found: "Your agent"
    except ValueError:
        agent_id = None
    typed = EmailTemplate(email_subject=subject, email_body=body, send_html=data.get("send_html") in CHECKED)
    rendered = render_with(typed, sample_values(agent_id, customer_id))  # `typed` is never added to a session
    return Preview(rendered.subject, rendered.body, rendered.html, problems)
