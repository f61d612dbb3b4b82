"""The voice catalog is cached in Redis, shared by every process, and a Redis outage only means computing it again."""
from __future__ import annotations

from redis import Redis

from dashboard.agents.voice.catalog import catalog
from tests.core.test_jobs_worker import redis_server  # noqa: F401  (the fixture: a redis-server of the test's own)
from tests.core.test_storage_s3 import signed_in_with_an_agent
from tests.standins.fixtures import ULTRAVOX_KEY

VOICES = {"next": None, "previous": None, "total": 1, "results": [
    {"voiceId": "11111111-1111-4111-8111-111111111111", "name": "Riya", "description": "Warm Hindi voice",
     "primaryLanguage": "hi-IN", "languageLabel": "🇮🇳 Hindi (India)", "provider": "cartesia",
     "previewUrl": "https://example.com/p", "ownership": "public", "billingStyle": "VOICE_BILLING_STYLE_INCLUDED",
     "definition": {}},
]}


def voice_requests(ultravox) -> int:
    return len([r for r in ultravox.requests if r.method == "GET" and r.path.startswith("/api/voices")])


def ultravox_app(make_app, ultravox, **settings):
    return make_app(ULTRAVOX_API_KEY=ULTRAVOX_KEY, ULTRAVOX_API_BASE=ultravox.base_url, **settings)


def test_two_app_processes_share_the_voice_catalog_through_redis(make_app, ultravox, redis_server):  # noqa: F811
    ultravox.respond("GET", "/api/voices", 200, VOICES)
    first, second = (ultravox_app(make_app, ultravox, REDIS_URL=redis_server.url) for _ in range(2))
    with first.app_context():
        assert [v.name for v in catalog()[0]] == ["Riya"]
    # In Redis, where any other process or machine reads it (the key names no secret: it is hashed).
    assert Redis.from_url(redis_server.url).keys("angelcx:cache:ultravox-voices:*")
    with second.app_context():  # another app, as another machine would be: read from Redis, not Ultravox
        assert [v.name for v in catalog()[0]] == ["Riya"]
    assert voice_requests(ultravox) == 1


def test_without_redis_each_app_caches_the_catalog_in_its_own_memory(make_app, ultravox):
    ultravox.respond("GET", "/api/voices", 200, VOICES)
    app = ultravox_app(make_app, ultravox)
    with app.app_context():
        catalog()
        catalog()
    assert voice_requests(ultravox) == 1


def test_the_voice_page_still_works_while_redis_is_down(make_app, ultravox, redis_server):  # noqa: F811
    ultravox.respond("GET", "/api/voices", 200, VOICES)
    app = ultravox_app(make_app, ultravox, REDIS_URL=redis_server.url, RATELIMIT_ENABLED=False)
    redis_server.stop()
    with app.app_context():
        client, agent = signed_in_with_an_agent(app)
        for _ in range(2):  # nothing to read from or write to: computed each time
            response = client.get(f"/agents/{agent.agent_id}/voices", headers={"HX-Request": "true"})
            assert response.status_code == 200 and "Riya" in response.get_data(as_text=True)
    assert voice_requests(ultravox) == 2
