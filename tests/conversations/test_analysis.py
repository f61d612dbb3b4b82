"""Post-conversation analysis: the offline analyzer, the chat-completions analyzer (against a stand-in), and jobs."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from dashboard.conversations.analysis import analyze_conversation, offline, taxonomy
from dashboard.conversations.analysis.result import Turn
from dashboard.conversations.models import Analysis, Message
from dashboard.extensions import db
from dashboard.jobs import Job, defer, dispatch_pending, make_worker
from tests import factories
from tests.standins.chat_completions import ChatCompletionsStandin

COMPLAINT = [Turn(0, "agent", "Hello, how can I help you today?"),
             Turn(1, "visitor", "I waited forty minutes and the receptionist was rude. This is unacceptable."),
             Turn(2, "agent", "I'm very sorry about that. I will ask a manager to call you."),
             Turn(3, "visitor", "I want a refund, this was a terrible experience.")]
BOOKING = [Turn(0, "agent", "Hi! How can I help?"),
           Turn(1, "visitor", "I'd like to book an appointment for Friday, please."),
           Turn(2, "tool_call", '{"date": "Friday"}'),
           Turn(3, "tool_result", '{"slots": ["09:30"]}'),
           Turn(4, "agent", "Friday at 9:30 is available. Shall I book it?"),
           Turn(5, "visitor", "Perfect, thank you so much, that's great!")]


def test_offline_analysis_of_a_complaint():
    result = offline.analyze(COMPLAINT)
    assert (result.intent, result.category) == ("complaint", "complaint")
    assert result.sentiment < -0.2 and offline.band(result.sentiment) == "negative"
    assert [(d["index"], d["role"]) for d in result.sentiment_detailed] == [(1, "visitor"), (3, "visitor")]
    assert "negative" in result.sentiment_justification
    assert result.category_description == taxonomy.CATEGORIES["complaint"].description
    assert result.action == taxonomy.INTENTS["complaint"].action


def test_offline_analysis_of_a_booking_ignores_tool_turns():
    result = offline.analyze(BOOKING)
    assert (result.intent, result.category) == ("book_appointment", "scheduling")
    assert result.sentiment > 0.2
    assert {d["index"] for d in result.sentiment_detailed} == {1, 5}
    assert "slots" not in result.call_summary and result.call_summary.count(":") >= 1


def test_an_unrecognised_conversation_falls_back():
    result = offline.analyze([Turn(0, "visitor", "Blue."), Turn(1, "agent", "Okay.")])
    assert (result.intent, result.category) == (taxonomy.FALLBACK_INTENT, taxonomy.FALLBACK_CATEGORY)
    assert offline.analyze([]).call_summary == "No messages."


def stored_conversation(customer, turns):
    conversation = factories.make_conversation(customer, messages=0, analysed=False)
    for turn in turns:
        db.session.add(Message(session_id=conversation.session_id, role=turn.role, content=turn.content,
                               timestamp=conversation.created_at))
    db.session.commit()
    return conversation


@pytest.fixture
def llm():
    standin = ChatCompletionsStandin("sk-test-llm")
    yield standin
    standin.stop()


def test_the_llm_analyzer_is_used_when_configured(make_app, llm):
    llm.reply = {"call_summary": "The visitor complained about waiting.", "intent": "complaint", "sentiment": -0.8,
                 "sentiment_justification": "Angry about the wait.", "category": "complaint",
                 "action": "Call back today.", "sentiment_detailed": [{"index": 1, "score": -0.7},
                                                                      {"index": 3, "score": -0.9},
                                                                      {"index": 0, "score": 0.5}]}
    app = make_app(ANALYSIS_LLM_URL=llm.base_url, ANALYSIS_LLM_API_KEY="sk-test-llm", ANALYSIS_LLM_MODEL="small")
    with app.app_context():
        conversation = stored_conversation(factories.make_customer(), COMPLAINT)
        analyze_conversation(conversation.session_id)
        analysis = db.session.scalars(select(Analysis).where(Analysis.session_id == conversation.session_id)).one()
        assert (analysis.call_summary, analysis.sentiment, analysis.action) == (
            "The visitor complained about waiting.", -0.8, "Call back today.")
        assert analysis.category_description == taxonomy.CATEGORIES["complaint"].description
        # Only visitor messages carry a score; the agent's (index 0) is dropped.
        assert analysis.sentiment_detailed == [{"index": 1, "role": "visitor", "score": -0.7},
                                               {"index": 3, "role": "visitor", "score": -0.9}]
    sent = llm.requests[-1]
    assert sent["authorization"] == "Bearer sk-test-llm" and sent["json"]["model"] == "small"
    assert "[3] visitor: I want a refund" in sent["json"]["messages"][1]["content"]
    assert "book_appointment" in sent["json"]["messages"][0]["content"]  # the taxonomy is offered


@pytest.mark.parametrize("reply, status", [("not json at all", 200), ({"intent": "complaint"}, 200), ({}, 500)])
def test_a_failing_llm_falls_back_to_the_offline_analyzer(make_app, llm, reply, status):
    llm.reply, llm.status = reply, status
    app = make_app(ANALYSIS_LLM_URL=llm.base_url, ANALYSIS_LLM_API_KEY="sk-test-llm")
    with app.app_context():
        conversation = stored_conversation(factories.make_customer(), BOOKING)
        analyze_conversation(conversation.session_id)
        analysis = db.session.scalars(select(Analysis).where(Analysis.session_id == conversation.session_id)).one()
        assert analysis.intent == "book_appointment" and analysis.sentiment > 0.2
    assert llm.requests


def test_with_redis_the_analysis_runs_on_the_worker(make_app, redis_url):
    from redis import Redis

    queue = f"angelcx-test-{uuid.uuid4().hex[:8]}"
    app = make_app(REDIS_URL=redis_url, JOBS_QUEUE=queue)
    try:
        with app.app_context():
            conversation = stored_conversation(factories.make_customer(), COMPLAINT)
            job = defer(analyze_conversation, conversation.session_id)
            db.session.commit()
            dispatch_pending()
            assert db.session.scalar(select(func.count()).select_from(Analysis)) == 0  # handed to RQ, not run
            assert (job.state, job.handed_over_at is not None) == ("queued", True)
            make_worker(app).work(burst=True)
            db.session.expire_all()
            analysis = db.session.scalars(select(Analysis).where(Analysis.session_id == conversation.session_id)).one()
            assert analysis.intent == "complaint"
    finally:
        Redis.from_url(redis_url).delete(f"rq:queue:{queue}")


def test_without_redis_jobs_run_inline(app, customer):
    conversation = stored_conversation(customer, BOOKING)
    job = defer(analyze_conversation, conversation.session_id)
    db.session.commit()
    dispatch_pending()
    assert db.session.get(Job, job.job_id).state == "done"
    assert db.session.scalars(select(Analysis).where(Analysis.session_id == conversation.session_id)).one()


def test_the_worker_process_runs_queued_jobs(make_app, migrated, tmp_path, redis_url):
    """`make worker` runs `python -m dashboard.jobs`: a separate process that builds the app from the environment."""
    import os
    import subprocess
    import sys

    from redis import Redis

    queue = f"angelcx-test-{uuid.uuid4().hex[:8]}"
    app = make_app(REDIS_URL=redis_url, JOBS_QUEUE=queue)
    try:
        with app.app_context():
            conversation = stored_conversation(factories.make_customer(), BOOKING)
            defer(analyze_conversation, conversation.session_id)
            db.session.commit()
            dispatch_pending()
            env = {**os.environ, "DATABASE_URL": migrated, "REDIS_URL": redis_url,
                   "FLASK_SKIP_DOTENV": "1", "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "worker-test-secret-key"}
            finished = subprocess.run([sys.executable, "-m", "dashboard.jobs", "--burst", "--queue", queue], env=env,
                                      capture_output=True, text=True, timeout=60)
            assert finished.returncode == 0, finished.stderr
            db.session.expire_all()
            analysis = db.session.scalars(select(Analysis).where(Analysis.session_id == conversation.session_id)).one()
            assert analysis.intent == "book_appointment"
    finally:
        Redis.from_url(redis_url).delete(f"rq:queue:{queue}")
