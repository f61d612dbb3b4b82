"""Server time of the conversations list, a search, filters and a 200-message transcript on a large dataset.

    createdb angelcx_bench   # any PostgreSQL database
    DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/angelcx_bench \
        .venv/bin/python bench/conversations.py --scale 67

Migrates, seeds (`seed-demo --scale 67`: ~100k conversations and ~2M messages for the demo
customer; idempotent, so a second run reuses the data), then requests each page in-process
and prints the median and 95th percentile of its server time (routing, SQL, rendering; no
network) with the number of SQL statements. Not a test: figures vary with the machine.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import event, func, insert, select, text  # noqa: E402

from dashboard import create_app  # noqa: E402
from dashboard.extensions import db  # noqa: E402

BIG_TRANSCRIPT_CALL = "bench-200-messages"


def seed(app, scale: int) -> None:
    from flask_migrate import upgrade

    from dashboard.demo.seed import demo_password, seed_demo

    upgrade()
    started = time.perf_counter()
    seed_demo(demo_password(Path(app.instance_path), os.environ.get("DEMO_PASSWORD"))[0], scale=scale)
    print(f"seeded in {time.perf_counter() - started:.0f} s")
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ANALYZE"))
    db.session.commit()


def big_conversation(customer_id: int) -> int:
    """A conversation with 200 messages (the demo's are ~20), made once."""
    from dashboard.conversations.models import Conversation, Message
    from dashboard.database import utcnow

    found = db.session.scalar(select(Conversation.session_id).where(Conversation.ultravox_call_id == BIG_TRANSCRIPT_CALL))
    if found:
        return found
    start = utcnow() - timedelta(hours=2)
    conversation = Conversation(customer_id=customer_id, channel="voice", is_active=False, created_at=start,
                                ended_at=start + timedelta(minutes=40), ultravox_call_id=BIG_TRANSCRIPT_CALL)
    db.session.add(conversation)
    db.session.flush()
    db.session.execute(insert(Message), [
        {"session_id": conversation.session_id, "role": "visitor" if i % 2 else "agent",
         "content": f"Line {i}: could we talk about the appointment and the price once more?",
         "timestamp": start + timedelta(seconds=10 * i)} for i in range(200)])
    db.session.commit()
    return conversation.session_id


def measure(client, url: str, repeat: int) -> tuple[float, float, int, int]:
    statements = []

    def count(*_):
        statements.append(1)

    client.get(url)  # warm caches (templates, plans)
    times = []
    for _ in range(repeat):
        statements.clear()
        event.listen(db.engine, "before_cursor_execute", count)
        started = time.perf_counter()
        response = client.get(url)
        response.get_data()
        times.append((time.perf_counter() - started) * 1000)
        event.remove(db.engine, "before_cursor_execute", count)
        assert response.status_code == 200, (url, response.status_code)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1], len(statements), len(response.get_data())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=67)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--no-seed", action="store_true")
    options = parser.parse_args()
    app = create_app({"RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False})
    with app.app_context():
        from dashboard.auth.models import Customer
        from dashboard.conversations.models import Conversation, Message
        from dashboard.demo.seed import demo_password

        if not options.no_seed:
            seed(app, options.scale)
        demo = db.session.scalars(select(Customer).where(Customer.email == "demo@example.com")).one()
        conversations = db.session.scalar(select(func.count()).where(Conversation.customer_id == demo.customer_id))
        messages = db.session.scalar(select(func.count()).select_from(Message))
        big = big_conversation(demo.customer_id)
        print(f"{db.engine.dialect.name}: demo customer has {conversations:,} conversations; {messages:,} messages in all")
        client = app.test_client()
        password = demo_password(Path(app.instance_path), os.environ.get("DEMO_PASSWORD"))[0]
        assert client.post("/auth/login", data={"email": demo.email, "password": password}).status_code == 302
        first = client.get("/conversations/").get_data(as_text=True)
        cursor = first.split("cursor=")[1].split("&")[0].split('"')[0]
        pages = [
            ("list, first page", "/conversations/"),
            ("list, next page (cursor)", f"/conversations/?cursor={cursor}"),
            ("list, filters (voice, negative, complaint)",
             "/conversations/?channel=voice&sentiment=negative&category=complaint"),
            ("list, over the limit (rare)", "/conversations/?over_limit=y"),
            ("search q=refund", "/conversations/?q=refund"),
            ("  its count (loaded after the rows)", "/conversations/count?q=refund"),
            ("search q=appointment (common)", "/conversations/?q=appointment"),
            ("  its count (loaded after the rows)", "/conversations/count?q=appointment"),
            ("search q=wheelchair accessible + voice", "/conversations/?q=wheelchair+accessible&channel=voice"),
            ("search: two words, never in one message", "/conversations/?q=appointment+charged"),
            ("search: a phrase", "/conversations/?q=%22someone+from+our+team%22"),
            ("search: a word without another", "/conversations/?q=appointment+-charged"),
            ("transcript, 200 messages", f"/conversations/{big}"),
        ]
        print(f"{'page':45} {'median ms':>10} {'p95 ms':>8} {'queries':>8} {'bytes':>8}")
        for label, url in pages:
            median, p95, queries, size = measure(client, url, options.repeat)
            print(f"{label:45} {median:10.1f} {p95:8.1f} {queries:8d} {size:8d}")


if __name__ == "__main__":
    main()
