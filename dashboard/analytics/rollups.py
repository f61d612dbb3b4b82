"""Keeping the rollups equal to the source rows: one conversation at a time, or a customer's all over again.

`refresh(session_id)` runs inside the transaction that changed the conversation (its end, its analysis, an
email about it, its billed minutes): it computes what the conversation contributes now, takes away what the
rollups counted for it before (its `analytics_entry`), and adds the difference with increments, so
concurrent changes to other conversations of the same bucket never lose one another. `rebuild` recomputes a
customer's entries from the source and sums the buckets from them in SQL.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import case, delete, func, insert, literal, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from dashboard.analytics.models import MEASURES, AnalyticsEntry, DailyRollup, LabelRollup
from dashboard.auth.models import Customer
from dashboard.conversations.models import Analysis, Conversation, Message
from dashboard.conversations.sentiment import band
from dashboard.extensions import db
from dashboard.jobs import defer
from dashboard.signals import collect, count_follow_ups

LABEL_KINDS = ("intent", "category")
BATCH = 2000


def zone_of(customer_id: int, lock: str | None = None) -> ZoneInfo:
    """The customer's time zone. lock="share" (a refresh) and lock="rebuild" exclude each other on PostgreSQL,
    so a rebuild never interleaves with a refresh of the same customer; neither blocks foreign-key checks."""
    if lock is None:  # a page: the signed-in customer is already in the session, so this reads no row again
        customer = db.session.get(Customer, customer_id)
        return ZoneInfo(customer.time_zone if customer is not None and customer.time_zone else "UTC")
    query = select(Customer.time_zone).where(Customer.customer_id == customer_id)
    if lock == "share":
        query = query.with_for_update(read=True)
    elif lock == "rebuild":
        query = query.with_for_update(key_share=True)
    return ZoneInfo(db.session.scalar(query) or "UTC")


def local_day(moment: datetime, zone: ZoneInfo) -> date:
    return moment.astimezone(zone).date()


def _email_counts(**where) -> dict[int, tuple[int, int]]:
    """session id → (sent, failed) follow-up emails, as the emails domain counts them."""
    counts: dict[int, tuple[int, int]] = {}
    for query in collect(count_follow_ups, current_app._get_current_object(), **where):
        for session_id, sent, failed in db.session.execute(query):
            counts[session_id] = (int(sent or 0), int(failed or 0))
    return counts


def _source(conditions, zone: ZoneInfo, emails: dict[int, tuple[int, int]]) -> list[dict]:
    """Entry values (the `analytics_entry` columns) of the ended conversations matching `conditions`."""
    counted = (select(Message.session_id, func.count().label("n")).where(
        Message.session_id.in_(select(Conversation.session_id).where(*conditions))).group_by(Message.session_id)
        .subquery())
    rows = db.session.execute(
        select(Conversation.session_id, Conversation.customer_id, Conversation.agent_id, Conversation.channel,
               Conversation.created_at, Conversation.ended_at, Conversation.call_minutes_used,
               Conversation.text_messages_used, Conversation.over_limit, counted.c.n,
               Analysis.sentiment, Analysis.intent, Analysis.category)
        .outerjoin(counted, counted.c.session_id == Conversation.session_id)
        .outerjoin(Analysis, Analysis.session_id == Conversation.session_id)
        .where(*conditions, Conversation.ended_at.is_not(None))
    ).all()
    entries = []
    for (session_id, customer_id, agent_id, channel, created, ended, minutes, texts, over, messages,
         sentiment, intent, category) in rows:
        sent, failed = emails.get(session_id, (0, 0))
        entries.append({
            "session_id": session_id, "customer_id": customer_id, "day": local_day(created, zone),
            "agent_id": agent_id or 0, "channel": channel,
            "duration_seconds": max(0, int((ended - created).total_seconds())),
            "call_minutes": Decimal(minutes or 0), "text_messages": texts or 0, "messages": messages or 0,
            "over_limit": bool(over), "sentiment_milli": None if sentiment is None else round(sentiment * 1000),
            "band": band(sentiment), "intent": intent, "category": category,
            "emails_sent": sent, "emails_failed": failed,
        })
    return entries


def _measures(entry: dict) -> dict:
    analysed = entry["sentiment_milli"] is not None
    return {
        "conversations": 1, "duration_seconds": entry["duration_seconds"], "call_minutes": entry["call_minutes"],
        "text_messages": entry["text_messages"], "messages": entry["messages"], "analysed": int(analysed),
        "sentiment_milli": entry["sentiment_milli"] or 0,
        "negative": int(entry["band"] == "negative"), "neutral": int(entry["band"] == "neutral"),
        "positive": int(entry["band"] == "positive"),
        "negative_unfollowed": int(entry["band"] == "negative" and not entry["emails_sent"]),
        "over_limit": int(entry["over_limit"]), "emails_sent": entry["emails_sent"],
        "emails_failed": entry["emails_failed"], "followed_up": int(entry["emails_sent"] > 0),
    }


def _contributions(entry: dict, sign: int) -> tuple[dict, dict]:
    """{daily bucket key: measures} and {label bucket key: measures} of one entry, times `sign`."""
    bucket = (entry["customer_id"], entry["day"], entry["agent_id"], entry["channel"])
    daily = {bucket: {name: value * sign for name, value in _measures(entry).items()}}
    labels = {}
    for kind in LABEL_KINDS:
        if entry[kind]:
            labels[(*bucket, kind, entry[kind])] = {
                "conversations": sign, "analysed": sign * int(entry["sentiment_milli"] is not None),
                "sentiment_milli": sign * (entry["sentiment_milli"] or 0)}
    return daily, labels


def _add(into: dict, more: dict) -> None:
    for key, measures in more.items():
        target = into.setdefault(key, dict.fromkeys(measures, 0))
        for name, value in measures.items():
            target[name] += value


def _upsert(model, keys: tuple[str, ...], changes: dict) -> None:
    """Add `changes` ({key tuple: measures}) to the buckets, creating missing ones, in one statement each."""
    dialect_insert = pg_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    table = model.__table__
    for key, measures in changes.items():
        if not any(measures.values()):
            continue
        statement = dialect_insert(table).values(**dict(zip(keys, key, strict=True)), **measures)
        statement = statement.on_conflict_do_update(
            index_elements=list(keys), set_={name: table.c[name] + statement.excluded[name] for name in measures})
        db.session.execute(statement)


DAILY_KEYS = ("customer_id", "day", "agent_id", "channel")
LABEL_KEYS = ("customer_id", "day", "agent_id", "channel", "kind", "name")


def refresh(session_id: int) -> None:
    """Make the rollups count conversation `session_id` as it is now (in the caller's transaction)."""
    # One change of a conversation at a time: its row is locked until the caller commits.
    customer_id = db.session.scalar(select(Conversation.customer_id).where(Conversation.session_id == session_id))
    if customer_id is None:
        return
    zone = zone_of(customer_id, lock="share")
    db.session.execute(select(Conversation.session_id).where(Conversation.session_id == session_id).with_for_update())
    found = _source([Conversation.session_id == session_id], zone, _email_counts(session_id=session_id))
    new = found[0] if found else None
    old_row = db.session.get(AnalyticsEntry, session_id, populate_existing=True)
    old = None if old_row is None else {c.name: getattr(old_row, c.name) for c in AnalyticsEntry.__table__.columns}
    if old == new:
        return
    daily, labels = {}, {}
    for entry, sign in ((old, -1), (new, 1)):
        if entry is not None:
            more_daily, more_labels = _contributions(entry, sign)
            _add(daily, more_daily)
            _add(labels, more_labels)
    _upsert(DailyRollup, DAILY_KEYS, daily)
    _upsert(LabelRollup, LABEL_KEYS, labels)
    if new is None:
        db.session.delete(old_row)
    elif old_row is None:
        db.session.add(AnalyticsEntry(**new))
    else:
        for name, value in new.items():
            setattr(old_row, name, value)
    db.session.flush()


def rebuild(customer_ids: Iterable[int]) -> int:
    """Recompute each customer's entries from the source rows and its buckets from the entries; returns
    the number of conversations counted. Runs in the caller's transaction."""
    total = 0
    for customer_id in customer_ids:
        zone = zone_of(customer_id, lock="rebuild")
        for model in (AnalyticsEntry, DailyRollup, LabelRollup):
            db.session.execute(delete(model).where(model.customer_id == customer_id))
        emails = _email_counts(customer_id=customer_id)
        after = 0
        while True:
            ids = db.session.scalars(
                select(Conversation.session_id).where(Conversation.customer_id == customer_id,
                                                      Conversation.session_id > after)
                .order_by(Conversation.session_id).limit(BATCH)).all()
            if not ids:
                break
            after = ids[-1]
            entries = _source([Conversation.customer_id == customer_id, Conversation.session_id.between(ids[0], after)],
                              zone, emails)
            if entries:
                db.session.execute(insert(AnalyticsEntry), entries)
            total += len(entries)
        _sum_buckets(customer_id)
    db.session.flush()
    return total


def _sum_buckets(customer_id: int) -> None:
    e = AnalyticsEntry
    one = lambda condition: func.sum(case((condition, 1), else_=0))  # noqa: E731
    daily = select(
        e.customer_id, e.day, e.agent_id, e.channel, func.count(), func.sum(e.duration_seconds),
        func.sum(e.call_minutes), func.sum(e.text_messages), func.sum(e.messages), func.count(e.sentiment_milli),
        func.coalesce(func.sum(e.sentiment_milli), 0), one(e.band == "negative"), one(e.band == "neutral"),
        one(e.band == "positive"), one((e.band == "negative") & (e.emails_sent == 0)), one(e.over_limit),
        func.sum(e.emails_sent), func.sum(e.emails_failed), one(e.emails_sent > 0),
    ).where(e.customer_id == customer_id).group_by(e.customer_id, e.day, e.agent_id, e.channel)
    db.session.execute(insert(DailyRollup).from_select([*DAILY_KEYS, *MEASURES], daily))
    for kind in LABEL_KINDS:
        column = getattr(e, kind)
        labels = select(
            e.customer_id, e.day, e.agent_id, e.channel, literal(kind), column, func.count(),
            func.count(e.sentiment_milli), func.coalesce(func.sum(e.sentiment_milli), 0),
        ).where(e.customer_id == customer_id, column.is_not(None)).group_by(e.customer_id, e.day, e.agent_id,
                                                                             e.channel, column)
        db.session.execute(insert(LabelRollup).from_select(
            [*LABEL_KEYS, "conversations", "analysed", "sentiment_milli"], labels))


def rebuild_customer(customer_id: int) -> None:
    """A job: recompute one customer's rollups (after its time zone changed, local days moved)."""
    if db.session.get(Customer, customer_id) is not None:
        rebuild([customer_id])
    db.session.commit()


def rebuild_later(customer_id: int) -> None:
    """Record the rebuild job in the caller's transaction."""
    defer(rebuild_customer, customer_id, dedupe_key=f"analytics-rebuild:{customer_id}")
