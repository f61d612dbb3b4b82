"""Concurrent chat streams and time to first token through POST /widget/<token>/chat on gunicorn's production settings.

    createdb -h 127.0.0.1 -U postgres angelcx_bench   # any PostgreSQL database
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/angelcx_bench .venv/bin/python bench/chat_streams.py

Migrates and seeds the demo data (idempotent; the demo business's first agent chats), starts a redis-server of its
own (rate limits and jobs in Redis, as in production), the OpenAI-compatible stand-in (tests/standins/
chat_completions.py) answering a 30-word reply word by word with a pause before the first word and between words
(a model's pace), and `gunicorn -c gunicorn.conf.py wsgi:app` (the production settings: gthread, WEB_CONCURRENCY
and GUNICORN_THREADS as the environment or the file's defaults give them) behind a pretend proxy, each visitor
from another address. Then it opens N chats at once, each a visitor's first message, and reads every stream to its
end: it prints how many finished, the time to the first token (the app's part: the model's own pause is
subtracted too) and the whole reply's time, for each N. Not a test: figures vary with the machine.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests  # noqa: E402

from dashboard import create_app  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
REPLY = " ".join(f"word{n}" for n in range(30))


def seeded_chat_path(database_url: str) -> str:
    """Migrate, seed the demo data, and return the chat URL path of an agent that chats."""
    from flask_migrate import upgrade
    from sqlalchemy import select

    from dashboard.agents.models import Agent
    from dashboard.agents.widget.operations import widget_token
    from dashboard.demo.seed import seed_demo
    from dashboard.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": os.environ["SECRET_KEY"]})
    with app.app_context():
        upgrade()
        if db.session.scalar(select(Agent.agent_id).limit(1)) is None:
            seed_demo(os.environ.get("DEMO_PASSWORD", "bench-password-0123"), scale=1, echo=lambda *_: None)
        agent = db.session.scalars(select(Agent).where(Agent.channels != "voice").order_by(Agent.agent_id)).first()
        if agent is None:
            agent = db.session.scalars(select(Agent).order_by(Agent.agent_id)).first()
            agent.channels = "both"
            db.session.commit()
        return f"/widget/{widget_token(agent)}/chat"


def one_chat(url: str, visitor: int, results: list, start: threading.Event) -> None:
    start.wait()
    began = time.perf_counter()
    first = None
    outcome = "no reply"
    try:
        with requests.post(url, json={"message": f"Hello from visitor {visitor}"}, stream=True, timeout=120,
                           headers={"X-Forwarded-For": f"10.{visitor // 250 % 250}.{visitor % 250}.7"}) as response:
            if response.status_code != 200:
                outcome = f"HTTP {response.status_code}"
            else:
                for line in response.iter_lines():
                    if line.startswith(b"event: delta") and first is None:
                        first = time.perf_counter() - began
                    elif line.startswith(b"event: done"):
                        outcome = "done"
                    elif line.startswith((b"event: error", b"event: notice")):
                        outcome = line.decode()
    except requests.RequestException as error:
        outcome = type(error).__name__
    results.append((outcome, first, time.perf_counter() - began))


def burst(url: str, n: int, offset: int) -> list:
    results: list = []
    start = threading.Event()
    threads = [threading.Thread(target=one_chat, args=(url, offset + i, results, start)) for i in range(n)]
    for thread in threads:
        thread.start()
    start.set()
    for thread in threads:
        thread.join()
    return results


def ms(seconds: float) -> str:
    return f"{seconds * 1000:7.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--streams", default="1,25,50,75", help="concurrent chats per burst, comma-separated")
    parser.add_argument("--first-token-delay", type=float, default=0.3, help="the model's pause before its first word")
    parser.add_argument("--word-delay", type=float, default=0.05, help="the model's pause between words")
    args = parser.parse_args()
    database_url = os.environ.get("DATABASE_URL")
    if not database_url or not database_url.startswith("postgresql"):
        sys.exit("Set DATABASE_URL to a PostgreSQL database (production settings); see the docstring.")
    os.environ.setdefault("SECRET_KEY", "bench-secret-key-0123456789abcdef")
    os.environ["FLASK_SKIP_DOTENV"] = "1"
    os.environ["INSTANCE_PATH"] = tempfile.mkdtemp(prefix="bench-instance-")
    path = seeded_chat_path(database_url)

    from tests.auth.live_servers import GUNICORN, RedisServer
    from tests.standins.chat_completions import ChatCompletionsStandin
    from tests.standins.oidc_provider import BackgroundProcess, free_port

    model = ChatCompletionsStandin("sk-bench")
    model.first_chunk_delay, model.chunk_delay = args.first_token_delay, args.word_delay
    model.turns = []
    redis_server = RedisServer()
    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_server.url, "TRUSTED_PROXY_COUNT": "1",
           "CHAT_LLM_URL": model.base_url, "CHAT_LLM_API_KEY": "sk-bench", "GUNICORN_BIND": f"127.0.0.1:{port}"}
    server = BackgroundProcess([str(GUNICORN), "--chdir", str(ROOT), "-c", str(ROOT / "gunicorn.conf.py"), "wsgi:app"],
                               env=env)
    base = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        try:
            return requests.get(f"{base}/healthz", timeout=1).status_code == 200
        except requests.RequestException:
            return False

    deadline = time.monotonic() + 120  # every worker imports the app: slow on a busy 2-CPU machine
    while not answers():
        if time.monotonic() > deadline or not server.running():
            server.stop()
            sys.exit(f"gunicorn did not start: {server.describe()}")
        time.sleep(0.2)
    model_words = len(REPLY.split())
    # Every reply is 30 words: one turn per chat (the stand-in answers in order, whatever the visitor).
    try:
        burst(base + path, 3, 60000)  # warm up each worker's imports and connections
        offset = 0
        print(f"gunicorn -c gunicorn.conf.py (gthread; WEB_CONCURRENCY={os.environ.get('WEB_CONCURRENCY', '2 x cores + 1')}, "
              f"GUNICORN_THREADS={os.environ.get('GUNICORN_THREADS', 'the default')}), PostgreSQL, Redis, on "
              f"{os.cpu_count()} CPUs; the model pauses {args.first_token_delay * 1000:.0f} ms before its first word "
              f"and {args.word_delay * 1000:.0f} ms between its {model_words} words")
        for n in (int(x) for x in args.streams.split(",")):
            model.turns[:] = [{"text": REPLY}] * n
            offset += n
            results = burst(base + path, n, offset)
            done = [r for r in results if r[0] == "done"]
            firsts = sorted(r[1] for r in done if r[1] is not None)
            totals = sorted(r[2] for r in done)
            failed = sorted({r[0] for r in results if r[0] != "done"})
            if not firsts:
                print(f"  {n:4} at once: none finished ({', '.join(failed)})")
                continue
            p95 = firsts[max(0, int(len(firsts) * 0.95) - 1)]
            print(f"  {n:4} at once: {len(done):4} finished   first token p50 {ms(statistics.median(firsts))} "
                  f"(app {ms(statistics.median(firsts) - args.first_token_delay)})  p95 {ms(p95)}   "
                  f"whole reply p50 {ms(statistics.median(totals))}" + (f"   others: {', '.join(failed)}" if failed else ""))
    finally:
        server.stop()
        redis_server.stop()
        model.stop()


if __name__ == "__main__":
    main()
