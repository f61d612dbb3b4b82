"""Open chat streams do not tie up the server: one gunicorn process (the production worker class, gthread) keeps
several replies streaming at once and still answers other requests, with real concurrent HTTP requests."""
from __future__ import annotations

import threading

import requests
from sqlalchemy import func, select

from dashboard.agents.widget.operations import widget_token
from dashboard.conversations.models import Conversation, Message
from dashboard.extensions import db
from tests import factories
from tests.live_servers import app_environment, start_gunicorn, stop, wait_for
from tests.standins.chat_completions import ChatCompletionsStandin

STREAMS = 6


def test_one_process_streams_several_replies_at_once_and_still_answers(app, migrated, tmp_path):
    model = ChatCompletionsStandin("sk-streams")
    model.gate = threading.Event()  # every reply waits, mid-stream, until the test lets them go
    customer = factories.make_customer()
    agent = factories.make_agent(customer, channels="chat")
    db.session.commit()
    env = app_environment(migrated, tmp_path / "web", CHAT_LLM_URL=model.base_url, CHAT_LLM_API_KEY="sk-streams",
                          GUNICORN_THREADS=8, SECRET_KEY=app.config["SECRET_KEY"])  # the token is signed with it
    process, base = start_gunicorn(env, tmp_path / "gunicorn.log", workers=1)
    url = f"{base}/widget/{widget_token(agent)}/chat"
    results: list[str] = []

    def chat(n: int) -> None:
        with requests.post(url, json={"message": f"Hello {n}"}, stream=True, timeout=60,
                           headers={"X-Forwarded-For": f"10.0.0.{n}"}) as response:
            body = b"".join(response.iter_content(None))
        results.append(body.decode().rsplit("event: ", 1)[-1].split("\n", 1)[0])

    visitors = [threading.Thread(target=chat, args=(n,)) for n in range(STREAMS)]
    try:
        for visitor in visitors:
            visitor.start()
        # All six are streaming at once in the one process, each waiting on the model...
        wait_for(lambda: len(model.requests) == STREAMS, 30, "six replies in progress")
        # ...and the process still answers.
        assert requests.get(f"{base}/healthz", timeout=10).status_code == 200
        assert results == []
        model.gate.set()
        for visitor in visitors:
            visitor.join(60)
        assert results == ["done"] * STREAMS
    finally:
        model.gate.set()
        stop(process)
        model.stop()
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Conversation)) == STREAMS
    assert db.session.scalar(select(func.count()).select_from(Message)) == STREAMS * 2
