"""Chats stored at the same moment by several gunicorn workers all land in one rollup bucket: the increments
lose none of them, and the bucket equals the source rows afterwards."""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import requests

from dashboard.auth.api_keys import create_api_key
from dashboard.extensions import db
from tests import factories
from tests.analytics.test_rollups import expected, stored
from tests.conversations.test_chat_api import chat
from tests.live_servers import app_environment, start_gunicorn, stop

CHATS = 12


def test_concurrent_chats_into_one_bucket_lose_no_increment(make_app, migrated, tmp_path):
    app = make_app()
    with app.app_context():
        customer = factories.make_customer()
        agent = factories.make_agent(customer)
        _, secret = create_api_key(customer, "burst")
        body = chat(agent)  # every chat the same minute, agent and channel: one bucket
        customer_id = customer.customer_id
        db.session.commit()
    web, base = start_gunicorn(app_environment(migrated, tmp_path / "instance"), tmp_path / "gunicorn.log",
                               workers=3)
    try:
        def post(i: int) -> int:
            headers = {"Authorization": f"Bearer {secret}", "Idempotency-Key": f"same-bucket-{i}"}
            return requests.post(f"{base}/api/v1/conversations", json=body, headers=headers, timeout=60).status_code

        with ThreadPoolExecutor(8) as pool:
            statuses = list(pool.map(post, range(CHATS)))
    finally:
        stop(web)
    assert statuses == [201] * CHATS, (tmp_path / "gunicorn.log").read_text()[-3000:]
    with app.app_context():
        daily, labels = stored(customer_id)
        assert [row[0] for row in daily.values()] == [CHATS]  # conversations in the one bucket
        assert (daily, labels) == expected(customer_id)
