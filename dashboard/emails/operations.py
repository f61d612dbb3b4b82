"""Email templates and the send log: listing the templates, a page of the log, saving a template."""
from __future__ import annotations

import re

from sqlalchemy import select

from dashboard.agents.models import Agent
from dashboard.database import utcnow
from dashboard.emails.models import EmailLog, EmailTemplate
from dashboard.extensions import db
from dashboard.pagination import KeysetPage, keyset_page

LOG_PAGE = 50
PLACEHOLDERS = ("visitor_name", "call_summary", "agent_name", "business_name")
PLACEHOLDER_PATTERN = re.compile(r"\{\{\s*(\w+)\s*\}\}")
LOG_STATUSES = ("sent", "failed", "sending", "queued", "retrying")


def templates_with_agents(customer_id: int) -> list[tuple[EmailTemplate, str | None]]:
    return db.session.execute(
        select(EmailTemplate, Agent.name).outerjoin(Agent, Agent.agent_id == EmailTemplate.agent_id)
        .where(EmailTemplate.customer_id == customer_id)
        .order_by(EmailTemplate.is_active.desc(), EmailTemplate.updated_at.desc())
    ).all()


LOG_ORDER = (EmailLog.sent_at, EmailLog.email_log_id)  # newest first


def log_page(customer_id: int, cursor: str | None = None, template_id: int | None = None,
             status: str | None = None) -> KeysetPage:
    """A page of the send log (rows: EmailLog, agent name, template subject), newest first."""
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
    return keyset_page(query, LOG_ORDER, cursor, LOG_PAGE)


def save_template(template: EmailTemplate, **fields) -> EmailTemplate:
    for name, value in fields.items():
        setattr(template, name, value)
    template.updated_at = utcnow()
    db.session.add(template)
    db.session.flush()
    return template
