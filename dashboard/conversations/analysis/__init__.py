"""Post-conversation analysis: one `analytics` row per ended conversation, by the LLM or the offline analyzer."""
from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import select

from dashboard.conversations.analysis import llm_gateway, offline
from dashboard.conversations.analysis.result import AnalysisResult, Turn
from dashboard.conversations.models import Analysis, Conversation, Message
from dashboard.database import utcnow
from dashboard.extensions import db
from dashboard.signals import analysis_stored

log = logging.getLogger(__name__)


def analyze_conversation(session_id: int) -> None:
    """Compute and store (or replace) the conversation's analysis, then tell who follows up on it; a job."""
    conversation = db.session.get(Conversation, session_id)
    if conversation is None:  # deleted before the job ran
        return
    contents = db.session.execute(
        select(Message.role, Message.content).where(Message.session_id == session_id)
        .order_by(Message.timestamp, Message.message_id)
    ).all()
    turns = [Turn(index, role, content) for index, (role, content) in enumerate(contents)]
    result = _analyze(turns)
    analysis = conversation.analysis or Analysis(session_id=session_id)
    for name, value in vars(result).items():
        setattr(analysis, name, value)
    analysis.created_at = utcnow()
    db.session.add(analysis)
    # Follow-ups (the emails domain's email) are recorded as jobs in this transaction, so they exist exactly
    # when the analysis does; they run after the commit and send once however often this runs.
    analysis_stored.send(current_app._get_current_object(), session_id=session_id)
    db.session.commit()


def _analyze(turns: list[Turn]) -> AnalysisResult:
    if llm_gateway.configured():
        try:
            return llm_gateway.analyze(turns)
        except llm_gateway.AnalysisLLMError as error:
            # An analysis from the offline analyzer beats none; the log says why.
            log.warning("%s; using the offline analyzer", error)
    return offline.analyze(turns)
