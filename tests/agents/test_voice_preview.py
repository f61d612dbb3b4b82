"""Voice previews: a redirect is followed once through the SSRF-safe client, and only audio types are passed on."""
from __future__ import annotations

import pytest

from tests.agents.test_ultravox import VOICES
from tests.standins.fixtures import ULTRAVOX_KEY

VOICE_ID = "22222222-2222-4222-8222-222222222222"
PREVIEW = rf"/api/voices/{VOICE_ID}/preview"


@pytest.fixture
def signed_in_builder(make_app, ultravox, login_as_on):
    ultravox.respond("GET", "/api/voices", 200, VOICES)
    return login_as_on(make_app(ULTRAVOX_API_KEY=ULTRAVOX_KEY, ULTRAVOX_API_BASE=ultravox.base_url))


@pytest.fixture
def login_as_on(db):
    from tests import factories

    def sign_in(app):
        customer = factories.make_customer()
        db.session.commit()
        client = app.test_client()
        assert client.post("/auth/login", data={"email": customer.email, "password": factories.PASSWORD}).status_code == 302
        return client

    return sign_in


def test_a_preview_is_served_as_audio_with_nosniff(signed_in_builder):
    response = signed_in_builder.get(f"/agents/voices/{VOICE_ID}/preview")
    assert response.status_code == 200 and response.content_type == "audio/wav"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_an_upstream_answer_that_is_not_audio_is_a_502(signed_in_builder, ultravox):
    ultravox.respond("GET", PREVIEW, 200, {"html": "<script>alert(1)</script>"})
    response = signed_in_builder.get(f"/agents/voices/{VOICE_ID}/preview")
    assert response.status_code == 502 and "not an audio file" in response.get_data(as_text=True)


@pytest.mark.parametrize("target", ["http://169.254.169.254/latest/meta-data/", "http://127.0.0.1:{port}/audio.wav",
                                    "file:///etc/passwd"])
def test_a_redirect_to_an_internal_address_is_refused(signed_in_builder, ultravox, local_server, target):
    ultravox.respond("GET", PREVIEW, 302, headers={"Location": target.format(port=local_server.port)})
    response = signed_in_builder.get(f"/agents/voices/{VOICE_ID}/preview")
    assert response.status_code == 502
    assert local_server.requests == []


def test_a_redirect_is_followed_once_without_the_key_and_still_must_be_audio(make_app, ultravox, local_server,
                                                                            login_as_on):
    ultravox.respond("GET", "/api/voices", 200, VOICES)
    app = make_app(ULTRAVOX_API_KEY=ULTRAVOX_KEY, ULTRAVOX_API_BASE=ultravox.base_url,
                   SAFE_HTTP_ALLOWED_HOSTS=["127.0.0.1"])
    client = login_as_on(app)
    ultravox.respond("GET", PREVIEW, 302, headers={"Location": f"{local_server.base_url}/audio.wav"})
    assert client.get(f"/agents/voices/{VOICE_ID}/preview").status_code == 502  # it answers JSON
    (fetched,) = local_server.requests
    assert fetched["path"] == "/audio.wav" and "X-Api-Key" not in fetched["headers"] and "X-API-Key" not in fetched["headers"]

    ultravox.respond("GET", PREVIEW, 302, headers={"Location": f"{local_server.base_url}/redirect"})
    assert client.get(f"/agents/voices/{VOICE_ID}/preview").status_code == 502  # no second hop
