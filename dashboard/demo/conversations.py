"""Months of realistic conversations, written with bulk inserts so benchmark scales load in minutes."""
from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from decimal import Decimal

from sqlalchemy import func, insert, select

from dashboard.agents.models import Agent
from dashboard.auth.models import Customer
from dashboard.conversations.models import Analysis, Conversation, Message, Visitor
from dashboard.database import utcnow
from dashboard.demo.scripts import FIRST_NAMES, LAST_NAMES, SCENARIOS, fill, script
from dashboard.emails.models import EmailLog, EmailTemplate
from dashboard.emails.sending import NO_VISITOR_NAME, render_with
from dashboard.extensions import db

CHUNK = 2000  # conversations generated and inserted per round
HISTORY_DAYS = 90


def ensure_conversations(customer_id: int, target: int, seed: int) -> int:
    """Top the customer's conversations up to `target`; returns how many were added."""
    existing = db.session.scalar(select(func.count()).where(Conversation.customer_id == customer_id))
    missing = target - existing
    if missing <= 0:
        return 0
    rng = random.Random(seed * 1_000_003 + existing)
    agents = db.session.scalars(select(Agent).where(Agent.customer_id == customer_id).order_by(Agent.agent_id)).all()
    templates = {t.agent_id: t for t in db.session.scalars(
        select(EmailTemplate).where(EmailTemplate.customer_id == customer_id, EmailTemplate.is_active))}
    business = db.session.scalar(select(Customer.name).where(Customer.customer_id == customer_id))
    visitors = _ensure_visitors(customer_id, max(20, target // 5), rng)
    now = utcnow()
    added = 0
    while added < missing:
        batch = min(CHUNK, missing - added)
        _insert_batch(rng, customer_id, business, agents, templates, visitors, batch, now, active=added == 0)
        added += batch
    return added


def _ensure_visitors(customer_id: int, wanted: int, rng: random.Random) -> list[dict]:
    have = db.session.scalar(select(func.count()).where(Visitor.customer_id == customer_id))
    rows = []
    now = utcnow()
    for i in range(have, wanted):
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        rows.append({
            "customer_id": customer_id, "name": f"{first} {last}",
            "email": f"{first}.{last}.{i}@example.net".lower().replace("ü", "u"),
            "phone": f"+1415555{i % 10000:04d}", "created_at": now, "updated_at": now,
        })
    if rows:
        db.session.execute(insert(Visitor), rows)
    result = db.session.execute(
        select(Visitor.visitor_id, Visitor.name, Visitor.email, Visitor.phone).where(Visitor.customer_id == customer_id)
    )
    return [dict(row._mapping) for row in result]


def _insert_batch(rng, customer_id, business, agents, templates, visitors, count, now, active) -> None:
    plans = []
    for i in range(count):
        visitor = rng.choice(visitors)
        agent = rng.choice(agents)
        scenario = rng.choice(SCENARIOS)
        is_active = active and i < 3  # a few conversations still going on right now
        started = now - timedelta(minutes=rng.randint(1, 8)) if is_active else \
            now - timedelta(seconds=rng.randint(600, HISTORY_DAYS * 86400))
        # The demo's chat concierge mostly chats; its phone agents mostly take calls.
        chat_share = 0.85 if "chat" in (agent.description or "").lower() else 0.15
        plans.append((visitor, agent, scenario, started, is_active, "chat" if rng.random() < chat_share else "voice"))

    conversation_rows = []
    turn_lists = []
    for visitor, agent, scenario, started, is_active, channel in plans:
        values = fill(rng, visitor)
        turns = script(rng, scenario, values)
        if scenario.category == "scheduling" and agent.tools:
            # The agent looks the slots up just before it offers them.
            offer = next(i for i, (role, text) in enumerate(turns) if role == "agent" and values["day"] in text)
            turns[offer:offer] = [
                ("tool_call", json.dumps({"date": values["day"]}), "check_availability"),
                ("tool_result", json.dumps({"slots": ["09:30", values["time"], "15:15"]}), "check_availability"),
            ]
        if is_active:
            turns = turns[: rng.randint(2, 5)]
        turn_lists.append(turns)
        seconds = sum(rng.randint(4, 14) for _ in turns)
        conversation_rows.append({
            "customer_id": customer_id, "visitor_id": visitor["visitor_id"], "agent_id": agent.agent_id,
            "channel": channel, "is_active": is_active, "created_at": started,
            "ended_at": None if is_active else started + timedelta(seconds=seconds),
            "ultravox_call_id": None,
            "call_minutes_used": Decimal(seconds / 60).quantize(Decimal("0.01")) if channel == "voice" else Decimal("0"),
            "text_messages_used": len(turns) if channel == "chat" else 0,
            "over_limit": False,
        })
    ids = db.session.scalars(
        insert(Conversation).returning(Conversation.session_id, sort_by_parameter_order=True), conversation_rows
    ).all()

    messages, analyses, email_logs = [], [], []
    for session_id, row, turns, (visitor, agent, scenario, started, is_active, _) in zip(
        ids, conversation_rows, turn_lists, plans, strict=True
    ):
        at: datetime = started
        for turn in turns:
            at += timedelta(seconds=rng.randint(3, 12))
            role, content = turn[0], turn[1]
            messages.append({"session_id": session_id, "role": role, "content": content, "timestamp": at,
                             "tool_name": turn[2] if len(turn) > 2 else None})
        if is_active:
            continue
        analysis = _analysis(rng, session_id, scenario, visitor, turns, row["ended_at"])
        analyses.append(analysis)
        template = templates.get(agent.agent_id)
        if template is not None and rng.random() < 0.2:
            # The subject the follow-up job would have sent: the agent's template filled for this conversation.
            subject = render_with(template, {"visitor_name": visitor["name"] or NO_VISITOR_NAME,
                                             "call_summary": analysis["call_summary"], "agent_name": agent.name,
                                             "business_name": business}).subject
            email_logs.append({"visitor_id": visitor["visitor_id"], "agent_id": agent.agent_id,
                               "session_id": session_id, "recipient_email": visitor["email"],
                               "sent_at": row["ended_at"] + timedelta(minutes=1),
                               "email_pk": template.email_pk, "customer_id": customer_id,
                               "subject": subject, "status": "sent"})
    for start in range(0, len(messages), 20000):
        # RETURNING makes SQLAlchemy send 1,000 rows per INSERT ("insertmanyvalues"); without it psycopg sends
        # one statement per row, and PostgreSQL runs the search index's statement-level trigger for each.
        db.session.execute(insert(Message).returning(Message.message_id), messages[start:start + 20000])
    db.session.execute(insert(Analysis), analyses)
    if email_logs:
        db.session.execute(insert(EmailLog), email_logs)
    db.session.commit()


def _analysis(rng, session_id, scenario, visitor, turns, ended_at) -> dict:
    low, high = scenario.sentiment
    sentiment = round(rng.uniform(low, high), 2)
    values = {"name": visitor["name"], "first": visitor["name"].split()[0], "day": "Thursday", "service": "a check-up"}
    detailed = [
        {"index": index, "role": turn[0], "score": round(max(-1.0, min(1.0, sentiment + rng.uniform(-0.3, 0.3))), 2)}
        for index, turn in enumerate(turns) if turn[0] == "visitor"
    ]
    mood = "positive" if sentiment > 0.2 else "negative" if sentiment < -0.2 else "neutral"
    return {
        "session_id": session_id, "call_summary": scenario.summary.format(**values, time="10:00"),
        "intent": scenario.intent, "sentiment": sentiment,
        "sentiment_justification": f"The visitor's tone was {mood} overall.",
        "category": scenario.category, "category_description": scenario.category_description,
        "action": scenario.action.format(**values), "created_at": ended_at + timedelta(seconds=30),
        "sentiment_detailed": detailed,
    }
