"""The audit log: who changed what, when, from where, recorded with the change itself.

Every flush that changes a row of an audited table while someone is acting (a signed-in member, an API key, or a
webhook from Stripe or Ultravox that said so with `acting_as`) adds one `AuditEvent` per row to the same
transaction: what kind of row, which, and each changed field before and after, secrets masked. A rolled-back
change leaves no record. Background jobs act for nobody and are not recorded. Reads worth recording (exports)
call `record()`. The app never updates or deletes these rows.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from flask import g, has_request_context, request
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session
from sqlalchemy.orm.base import NO_VALUE

from dashboard.auth.models import AuditEvent
from dashboard.extensions import db

# Table -> the kind's prefix in the log (agent.created, member.updated, ...).
AUDITED = {
    "customer": "business", "member": "member", "invitation": "invitation", "api_key": "api_key",
    "agent": "agent", "custom_tool": "tool", "knowledge_source": "knowledge", "third_party_oauth": "integration",
    "email": "email_template", "contract": "contract", "lead": "lead", "service": "service",
    "service_match": "match", "webhook_endpoint": "webhook",
}
# Fields whose values never reach the log: the change is shown as masked.
SECRET_WORDS = ("password", "secret", "token", "key_hash", "nonce", "encrypted", "access_key", "refresh")
# Bookkeeping that changes on its own.
IGNORED = {"updated_at", "created_at", "last_used_at", "last_seen_at", "customer_id"}
MASK = "••••••"
MAX_TEXT = 500


def acting_as(kind: str, label: str, member_id: int | None = None) -> None:
    """Name who acts for the rest of this request (webhooks: "stripe", "ultravox"; an accepting invitee)."""
    g.audit_actor = (kind, member_id, None, label)


def _actor():
    if not has_request_context():
        return None
    if g.get("audit_actor"):
        return g.audit_actor
    key = g.get("api_key")
    if key is not None:
        return ("api_key", key.member_id, key.api_key_id, f"API key {key.name} ({key.prefix}…)")
    member = g.get("member")
    if member is not None:
        return ("member", member.member_id, None, member.name)
    return None


def _address() -> str | None:
    return request.remote_addr if has_request_context() else None


def _plain(value):
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict | list):
        text = str(value)
        return value if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "…"
    text = str(value)
    return text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "…"


def _secret(name: str) -> bool:
    return any(word in name for word in SECRET_WORDS)


def _changes(obj, how: str) -> dict:
    state = inspect(obj)
    changes = {}
    for attr in state.mapper.column_attrs:
        name = attr.key
        if name in IGNORED or attr.columns[0].primary_key:
            continue
        if how == "updated":
            history = state.attrs[name].history
            if not history.has_changes():
                continue
            before = history.deleted[0] if history.deleted else None
            after = history.added[0] if history.added else None
            if before == after:
                continue
        else:
            value = state.attrs[name].loaded_value if how == "deleted" else getattr(obj, name)
            if value is None or value is NO_VALUE:
                continue
            before, after = (value, None) if how == "deleted" else (None, value)
        changes[name] = [MASK if before is not None else None, MASK] if _secret(name) else [_plain(before), _plain(after)]
    return changes


def _subject(obj, table: str) -> str:
    pk = inspect(obj).identity
    label = next((value for attr in ("name", "email", "email_subject", "url") if isinstance(
        value := inspect(obj).dict.get(attr), str)), None)
    number = f"#{pk[0]}" if pk else ""
    return f"{AUDITED[table].replace('_', ' ')} {label or ''} {number}".replace("  ", " ").strip()[:300]


def _customer_id(session: Session, obj, actor) -> int | None:
    found = getattr(obj, "customer_id", None)
    if found is None and getattr(type(obj), "owned_through", None) is not None:
        parent = type(obj).owned_through
        for column in obj.__table__.columns:
            for fk in column.foreign_keys:
                if fk.column.table is parent.__table__:
                    with session.no_autoflush:
                        row = session.get(parent, getattr(obj, column.key))
                    found = getattr(row, "customer_id", None)
    if found is None and has_request_context():
        customer = g.get("api_customer")
        found = customer.customer_id if customer is not None else None
    return found


def _event(customer_id: int, actor, kind: str, subject: str, changes: dict) -> AuditEvent:
    actor_kind, member_id, key_id, label = actor
    return AuditEvent(customer_id=customer_id, actor_kind=actor_kind, actor_member_id=member_id,
                      actor_api_key_id=key_id, actor_label=label[:255], ip_address=_address(), kind=kind[:40],
                      subject=subject, changes=changes)


def record(customer_id: int, kind: str, subject: str, changes: dict | None = None) -> None:
    """Record something that is not a row change (an export); added to the current transaction."""
    actor = _actor()
    if actor is not None:
        db.session.add(_event(customer_id, actor, kind, subject[:300], changes or {}))


@event.listens_for(db.session, "before_flush")
def _record_changes(session: Session, _context, _instances) -> None:
    actor = _actor()
    if actor is None:
        return
    found = []
    for how, objects in (("created", session.new), ("updated", session.dirty), ("deleted", session.deleted)):
        for obj in list(objects):
            table = getattr(getattr(obj, "__table__", None), "name", None)
            if table not in AUDITED:
                continue
            if how == "updated" and not session.is_modified(obj, include_collections=False):
                continue
            changes = _changes(obj, how)
            if how == "updated" and not changes:
                continue
            customer_id = _customer_id(session, obj, actor)
            if customer_id is None:
                continue
            found.append(_event(customer_id, actor, f"{AUDITED[table]}.{how}", _subject(obj, table), changes))
    for audit_event in found:
        session.add(audit_event)
