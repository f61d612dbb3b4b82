"""Email templates and the send log: listing the templates, a page of the log, saving a template."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, tuple_

from dashboard.agents.models import Agent
from dashboard.database import utcnow
from dashboard.emails.models import EmailLog, EmailTemplate
from dashboard.extensions import db

LOG_PAGE = 50
PLACEHOLDERS = ("visitor_name", "call_summary", "agent_name", "business_name")
PLACEHOLDER_PATTERN = re.compile(r"\{\{\s*(\w+)\s*\}\}")
LOG_STATUSES = ("sent", "failed", "sending")


def templates_with_agents(customer_id: int) -> list[tuple[EmailTemplate, str | None]]:
    return db.session.execute(
        select(EmailTemplate, Agent.name).outerjoin(Agent, Agent.agent_id == EmailTemplate.agent_id)
        .where(EmailTemplate.customer_id == customer_id)
        .order_by(EmailTemplate.is_active.desc(), EmailTemplate.updated_at.desc())
    ).all()


@dataclass(frozen=True)
class LogPage:
    rows: list
    next_cursor: str | None


def log_page(customer_id: int, cursor: str | None = None, template_id: int | None = None,
             status: str | None = None) -> LogPage:
    """A page of the send log, newest first, keyset-paginated on (sent_at, email_log_id)."""
    query = (
        select(EmailLog, Agent.name, EmailTemplate.email_subject)
        .outerjoin(Agent, Agent.agent_id == EmailLog.agent_id)
        .outerjoin(EmailTemplate, EmailTemplate.email_pk == EmailLog.email_pk)
        .where(EmailLog.customer_id == customer_id)
    )
    if template_id is not None:
        query = query.where(EmailLog.email_pk == template_id)
    if status is not None:
        query = query.where(EmailLog.status == status)
    after = parse_cursor(cursor)
    if after is not None:
        query = query.where(tuple_(EmailLog.sent_at, EmailLog.email_log_id) < after)
    rows = db.session.execute(
        query.order_by(EmailLog.sent_at.desc(), EmailLog.email_log_id.desc()).limit(LOG_PAGE + 1)
    ).all()
    next_cursor = None
    if len(rows) > LOG_PAGE:
        rows = rows[:LOG_PAGE]
        last = rows[-1][0]
        next_cursor = f"{last.sent_at.isoformat()}|{last.email_log_id}"
    return LogPage(rows, next_cursor)


def parse_cursor(cursor: str | None) -> tuple[datetime, int] | None:
    """The (sent_at, id) a cursor names; None for a missing or malformed one (the first page)."""
    if not cursor or "|" not in cursor:
        return None
    at, _, log_id = cursor.partition("|")
    try:
        return datetime.fromisoformat(at), int(log_id)
    except ValueError:
        return None


def save_template(template: EmailTemplate, **fields) -> EmailTemplate:
    for name, value in fields.items():
        setattr(template, name, value)
    template.updated_at = utcnow()
    db.session.add(template)
    db.session.flush()
    return template
