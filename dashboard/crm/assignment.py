"""Assigning a lead to an agent: the match score and the agent's performance with that lead
(the README's "How figures are computed").

match_score (0–100) adds three documented factors, each named in `match_factors` when it counts:
- history (40): the agent has already had a conversation with this lead;
- satisfaction (up to 30): 30 × (s + 1) ÷ 2, s the mean sentiment (−1…1) of the agent's analysed conversations
  of the last 90 days; absent without any;
- availability (up to 30): 30 × (1 − the agent's other active assignments ÷ 20), never below 0.

performance, from the lead's conversations with the agent (those recorded as the lead's interactions):
- response_time: the median first-reply latency (the first agent message after the visitor's first message),
  as "45s", "12m", "2h" or "3d"; null when no conversation has a reply;
- satisfaction_score: the mean of each analysed conversation's sentiment s mapped to 1–5 (3 + 2s), one decimal;
  null without an analysed conversation.
"""
from __future__ import annotations

from datetime import timedelta
from statistics import median

from sqlalchemy import and_, func, select

from dashboard.conversations.models import Analysis, Conversation, Message
from dashboard.crm.models import AgentAssignment, Interaction
from dashboard.database import utcnow
from dashboard.extensions import db

HISTORY, SATISFACTION, AVAILABILITY = 40, 30, 30
FULL_LOAD = 20
WINDOW = timedelta(days=90)


def _lead_sessions(lead_id: int, agent_id: int):
    return (select(Conversation.session_id).join(Interaction, Interaction.session_id == Conversation.session_id)
            .where(Interaction.lead_id == lead_id, Conversation.agent_id == agent_id))


def score(assignment: AgentAssignment) -> tuple[int, list[str]]:
    factors, points = [], 0.0
    talked = db.session.scalar(_lead_sessions(assignment.lead_id, assignment.agent_id).limit(1))
    if talked is not None:
        factors.append("history")
        points += HISTORY
    mean = db.session.scalar(select(func.avg(Analysis.sentiment)).join(Conversation).where(
        Conversation.agent_id == assignment.agent_id, Conversation.created_at >= utcnow() - WINDOW))
    if mean is not None:
        factors.append("satisfaction")
        points += SATISFACTION * (float(mean) + 1) / 2
    others = db.session.scalar(select(func.count()).where(
        AgentAssignment.agent_id == assignment.agent_id, AgentAssignment.status == "active",
        AgentAssignment.assignment_id != (assignment.assignment_id or 0)))
    free = max(0.0, 1 - others / FULL_LOAD)
    if free > 0:
        factors.append("availability")
        points += AVAILABILITY * free
    return max(0, min(100, round(points))), factors


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{round(seconds)}s"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)}m"
    if seconds < 48 * 3600:
        return f"{round(seconds / 3600)}h"
    return f"{round(seconds / 86400)}d"


def performance(lead_id: int, agent_id: int) -> dict:
    sessions = _lead_sessions(lead_id, agent_id).subquery()
    first_visitor = (select(Message.session_id, func.min(Message.timestamp).label("asked"))
                     .where(Message.role == "visitor", Message.session_id.in_(select(sessions.c.session_id)))
                     .group_by(Message.session_id).subquery())
    replies = db.session.execute(
        select(first_visitor.c.asked, func.min(Message.timestamp))
        .join(Message, and_(Message.session_id == first_visitor.c.session_id, Message.role == "agent",
                            Message.timestamp >= first_visitor.c.asked))
        .group_by(first_visitor.c.session_id, first_visitor.c.asked)).all()
    latencies = [(answered - asked).total_seconds() for asked, answered in replies if asked and answered]
    mean = db.session.scalar(select(func.avg(3 + 2 * Analysis.sentiment)).where(
        Analysis.session_id.in_(select(sessions.c.session_id)), Analysis.sentiment.is_not(None)))
    return {"response_time": _duration(median(latencies)) if latencies else None,
            "satisfaction_score": round(float(mean), 1) if mean is not None else None}


def rescore(assignment: AgentAssignment) -> AgentAssignment:
    """Fresh match_score, match_factors and performance (flushed)."""
    assignment.match_score, assignment.match_factors = score(assignment)
    assignment.performance = performance(assignment.lead_id, assignment.agent_id)
    assignment.updated_at = utcnow()
    db.session.flush()
    return assignment
