"""Settings → Audit log: every recorded change, filtered by person, kind and date, in keyset pages or as CSV."""
from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, time, timedelta

from flask import Response, abort, request, stream_with_context
from sqlalchemy import select

from dashboard.auth import audit
from dashboard.auth.models import AuditEvent, Member
from dashboard.conversations.export import spreadsheet_safe
from dashboard.extensions import db
from dashboard.fragments import render_page_or_fragment
from dashboard.pagination import keyset_batches, keyset_page
from dashboard.teams import bp
from dashboard.tenancy import current_customer

ORDER = (AuditEvent.created_at, AuditEvent.audit_event_id)  # newest first
PAGE = 50
# Besides row changes: exports, and a member's own password and sign-ins (Settings → Your account).
KINDS = sorted(set(audit.AUDITED.values()) | {"export", "password", "session"})
COLUMNS = ["time", "who", "actor_kind", "address", "kind", "subject", "changes"]


def _filters():
    """The validated filters of the query string; 400 with the reason when one is malformed."""
    args = request.args
    member_id = args.get("member", "").strip()
    kind = args.get("kind", "").strip()
    if member_id and not (member_id.isdigit() and len(member_id) < 12):
        abort(400, "Choose a person from the list.")
    if kind and kind not in KINDS:
        abort(400, "Choose a kind from the list.")
    dates = {}
    for name in ("since", "until"):
        value = args.get(name, "").strip()
        if value:
            try:
                dates[name] = datetime.strptime(value, "%Y-%m-%d").date()
            except ValueError:
                abort(400, f"The {name} date must look like 2026-11-27.")
    return {"member": int(member_id) if member_id else None, "kind": kind or None, **dates}


def _query(filters):
    query = AuditEvent.owned_select(current_customer.customer_id)
    if filters["member"] is not None:
        query = query.where(AuditEvent.actor_member_id == filters["member"])
    if filters["kind"]:
        prefix = f"{filters['kind']}."
        query = query.where(AuditEvent.kind.startswith(prefix, autoescape=True) | (AuditEvent.kind == filters["kind"]))
    if filters.get("since"):
        query = query.where(AuditEvent.created_at >= datetime.combine(filters["since"], time.min, UTC))
    if filters.get("until"):
        query = query.where(AuditEvent.created_at < datetime.combine(filters["until"] + timedelta(days=1), time.min, UTC))
    return query


@bp.get("/settings/audit")
def audit_log():
    filters = _filters()
    page = keyset_page(_query(filters), ORDER, request.args.get("cursor") or None, PAGE)
    people = db.session.execute(select(Member.member_id, Member.name).where(
        Member.customer_id == current_customer.customer_id).order_by(Member.name)).all()
    return render_page_or_fragment("teams/audit.html", "teams/_audit_rows.html",
                                   {"page": page, "filters": filters, "people": people, "kinds": KINDS})


@bp.get("/settings/audit.csv")
def audit_csv():
    filters = _filters()
    customer_id = current_customer.customer_id
    audit.record(customer_id, "export", "audit log CSV", {"filters": [None, {k: str(v) for k, v in filters.items() if v}]})
    db.session.commit()
    query = _query(filters)

    def lines():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(COLUMNS)
        for rows in keyset_batches(query, ORDER, 500):
            for row in rows:
                writer.writerow([spreadsheet_safe(value) for value in (
                    row.created_at.isoformat(), row.actor_label, row.actor_kind, row.ip_address or "", row.kind,
                    row.subject, _changes_text(row.changes))])
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        if buffer.getvalue():
            yield buffer.getvalue()

    headers = {"Content-Disposition": 'attachment; filename="audit-log.csv"', "Cache-Control": "no-store"}
    return Response(stream_with_context(lines()), mimetype="text/csv", headers=headers)


def _changes_text(changes: dict) -> str:
    return "; ".join(f"{field}: {before!r} → {after!r}" for field, (before, after) in (changes or {}).items())
