"""The rollups always equal what the source rows say, whatever order conversations end, are (re)analysed,
emailed about and billed in; `flask analytics rebuild` recomputes the same figures from scratch."""
from __future__ import annotations

import random
from collections import Counter, defaultdict
from datetime import timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select

from dashboard.analytics.models import MEASURES, AnalyticsEntry, DailyRollup, LabelRollup
from dashboard.conversations.ingest import (
    IncomingMessage,
    VisitorDetails,
    add_messages,
    close_conversation,
    open_conversation,
    record_chat,
)
from dashboard.conversations.models import Analysis, Conversation, Message
from dashboard.conversations.sentiment import band
from dashboard.database import utcnow
from dashboard.emails.models import EmailLog
from dashboard.extensions import db
from dashboard.jobs import dispatch_pending
from dashboard.signals import analysis_stored, conversation_measured, email_sent, time_zone_changed
from tests import factories

LINES = ["I would like to book an appointment for Thursday, thank you so much!",
         "This is terrible, I am very angry: nobody called me back about my refund.",
         "What are your opening hours?", "Great, that works perfectly. Wonderful service."]
INTENTS = ["book_appointment", "complaint", "question", "cancel", None]
CATEGORIES = ["scheduling", "billing", "support", None]


def expected(customer_id: int) -> tuple[dict, dict]:
    """The buckets, computed straight from conversations, messages, analyses and the email log."""
    zone = ZoneInfo(db.session.get(factories.Customer, customer_id).time_zone)
    messages = dict(db.session.execute(select(Message.session_id, func.count()).group_by(Message.session_id)).all())
    emails = defaultdict(Counter)
    for session_id, status in db.session.execute(select(EmailLog.session_id, EmailLog.status)
                                                  .where(EmailLog.customer_id == customer_id)):
        emails[session_id][status] += 1
    daily, labels = defaultdict(Counter), defaultdict(Counter)
    for conversation in db.session.scalars(select(Conversation).where(Conversation.customer_id == customer_id,
                                                                       Conversation.ended_at.is_not(None))):
        analysis = db.session.scalar(select(Analysis).where(Analysis.session_id == conversation.session_id))
        score = analysis.sentiment if analysis else None
        sent, failed = emails[conversation.session_id]["sent"], emails[conversation.session_id]["failed"]
        key = (conversation.created_at.astimezone(zone).date(), conversation.agent_id or 0, conversation.channel)
        daily[key].update({
            "conversations": 1, "messages": messages.get(conversation.session_id, 0),
            "duration_seconds": int((conversation.ended_at - conversation.created_at).total_seconds()),
            "call_minutes": conversation.call_minutes_used, "text_messages": conversation.text_messages_used,
            "analysed": score is not None, "sentiment_milli": round(score * 1000) if score is not None else 0,
            band(score) or "none": 1, "negative_unfollowed": band(score) == "negative" and not sent,
            "over_limit": conversation.over_limit, "emails_sent": sent, "emails_failed": failed,
            "followed_up": sent > 0})
        for kind in ("intent", "category"):
            name = getattr(analysis, kind) if analysis else None
            if name:
                labels[(*key, kind, name)].update({"conversations": 1, "analysed": score is not None,
                                                   "sentiment_milli": round(score * 1000) if score is not None else 0})
    return _plain(daily, MEASURES), _plain(labels, ("conversations", "analysed", "sentiment_milli"))


def _plain(buckets, names) -> dict:
    result = {}
    for key, counts in buckets.items():
        values = tuple(Decimal(counts[n]).quantize(Decimal("0.01")) if n == "call_minutes" else int(counts[n])
                       for n in names)
        if any(values):
            result[key] = values
    return result


def stored(customer_id: int) -> tuple[dict, dict]:
    daily = {(row.day, row.agent_id, row.channel): tuple(
        Decimal(str(row.call_minutes)).quantize(Decimal("0.01")) if n == "call_minutes" else int(getattr(row, n))
        for n in MEASURES)
        for row in db.session.scalars(select(DailyRollup).where(DailyRollup.customer_id == customer_id))}
    labels = {(row.day, row.agent_id, row.channel, row.kind, row.name):
              (row.conversations, row.analysed, int(row.sentiment_milli))
              for row in db.session.scalars(select(LabelRollup).where(LabelRollup.customer_id == customer_id))}
    return ({k: v for k, v in daily.items() if any(v)}, {k: v for k, v in labels.items() if any(v)})


def _chat(rng: random.Random, customer, agents) -> None:
    started = utcnow() - timedelta(days=rng.randint(0, 12), hours=rng.randint(0, 23), minutes=rng.randint(0, 59))
    lines = [rng.choice(LINES) for _ in range(rng.randint(1, 5))]
    messages = [IncomingMessage("visitor" if i % 2 == 0 else "agent", line, started + timedelta(seconds=20 * i))
                for i, line in enumerate(lines)]
    details = VisitorDetails(name="Ava Nguyen", email=f"ava{rng.randint(1, 3)}@example.net") if rng.random() < .5 \
        else VisitorDetails()
    record_chat(customer.customer_id, rng.choice(agents).agent_id, details, messages,
                messages[-1].timestamp + timedelta(seconds=rng.randint(1, 900)))
    dispatch_pending()  # the analysis job (and the follow-up it records) run inline: no Redis


def _call(rng: random.Random, customer, agents) -> None:
    """A voice call as the Ultravox webhook stores it; sometimes without an agent (a deleted one)."""
    started = utcnow() - timedelta(days=rng.randint(0, 12), hours=rng.randint(0, 23))
    agent_id = rng.choice(agents).agent_id if rng.random() < .8 else None
    conversation = open_conversation(customer.customer_id, agent_id, "voice", VisitorDetails(), started)
    add_messages(conversation, [IncomingMessage("visitor", rng.choice(LINES), started + timedelta(seconds=5))])
    close_conversation(conversation, started + timedelta(seconds=rng.randint(30, 4000)),
                       call_minutes=Decimal(rng.randint(1, 6000)) / 100)
    db.session.commit()


def _reanalyse(rng: random.Random, session_id: int) -> None:
    """A new analysis replacing the old one, in the analysis job's transaction (an LLM may say anything)."""
    analysis = db.session.scalar(select(Analysis).where(Analysis.session_id == session_id)) or Analysis(
        session_id=session_id)
    analysis.sentiment = rng.choice([None, -0.2, 0.2, round(rng.uniform(-1, 1), 3)])
    analysis.intent, analysis.category = rng.choice(INTENTS), rng.choice(CATEGORIES)
    db.session.add(analysis)
    analysis_stored.send(current_app._get_current_object(), session_id=session_id)
    db.session.commit()


def _email(rng: random.Random, customer, session_id: int) -> None:
    """A follow-up that was sent, or failed for good, as the sending job records it."""
    entry = EmailLog(customer_id=customer.customer_id, session_id=session_id, recipient_email="v@example.net",
                     status=rng.choice(["sent", "failed"]))
    db.session.add(entry)
    db.session.flush()
    email_sent.send(current_app._get_current_object(), email_log_id=entry.email_log_id, status=entry.status,
                    session_id=session_id)
    db.session.commit()


def _bill(rng: random.Random, session_id: int) -> None:
    """Ultravox bills other minutes after the call ended (call.billed)."""
    conversation = db.session.get(Conversation, session_id)
    conversation.call_minutes_used = Decimal(rng.randint(0, 9000)) / 100
    conversation.over_limit = rng.random() < .3
    conversation_measured.send(current_app._get_current_object(), session_id=session_id)
    db.session.commit()


def test_rollups_equal_the_source_through_random_histories_and_a_rebuild(app, customer, other_customer):
    customer.time_zone = "Pacific/Auckland"  # 12–13 hours ahead: UTC days and local days differ
    agents = [factories.make_agent(customer, name=f"Agent {i}") for i in range(3)]
    factories.make_email_template(customer)
    other_agent = factories.make_agent(other_customer)
    db.session.commit()
    for seed in range(2):
        rng = random.Random(seed)
        for _ in range(10):
            (_chat if rng.random() < .7 else _call)(rng, customer, agents)
        _chat(rng, other_customer, [other_agent])
        ids = db.session.scalars(select(Conversation.session_id).where(
            Conversation.customer_id == customer.customer_id)).all()
        for _ in range(20):
            change = rng.choice([_reanalyse, _email, _bill])
            session_id = rng.choice(ids)
            change(rng, customer, session_id) if change is _email else change(rng, session_id)
        db.session.expire_all()
        assert stored(customer.customer_id) == expected(customer.customer_id), f"history {seed}"
        assert sum(row[0] for row in stored(customer.customer_id)[0].values()) == len(ids)

    before = stored(customer.customer_id)
    result = app.test_cli_runner().invoke(args=["analytics", "rebuild", "--customer", str(customer.customer_id)])
    assert result.exit_code == 0, result.output
    assert f"{len(ids):,} conversations counted" in result.output
    db.session.expire_all()
    assert stored(customer.customer_id) == before  # the incremental rollups were already exact

    # Another time zone moves conversations to other local days: a job recomputes the customer's rollups.
    customer = db.session.get(factories.Customer, customer.customer_id)
    customer.time_zone = "America/Los_Angeles"
    time_zone_changed.send(current_app._get_current_object(), customer_id=customer.customer_id)
    db.session.commit()
    dispatch_pending()
    db.session.expire_all()
    assert stored(customer.customer_id) == expected(customer.customer_id) != before
    assert stored(other_customer.customer_id) == expected(other_customer.customer_id)
    assert db.session.scalar(select(func.count()).select_from(AnalyticsEntry)) == db.session.scalar(
        select(func.count()).select_from(Conversation).where(Conversation.ended_at.is_not(None)))


def test_rebuild_refuses_an_unknown_customer(app):
    result = app.test_cli_runner().invoke(args=["analytics", "rebuild", "--customer", "999999"])
    assert result.exit_code != 0 and "There is no customer 999999" in result.output
