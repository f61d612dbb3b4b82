"""With STORAGE_BUCKET set, uploads live in an S3 bucket (moto's S3 server here): stored, served, synced and deleted."""
from __future__ import annotations

import io
from pathlib import Path

import pytest

from dashboard.agents.knowledge.sync import sync_source
from dashboard.extensions import db
from dashboard.models import Agent, KnowledgeSource
from dashboard.storage import LocalStorage, S3Storage, StorageUnavailable, storage
from tests import factories
from tests.agents.conftest import LocalServer
from tests.live_servers import free_port
from tests.standins.fixtures import ULTRAVOX_KEY

HX = {"HX-Request": "true"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 64
PDF = b"%PDF-1.7\n" + b"0" * 100
WIDGET = {"bot_name": "Ava", "color": "#0f8b8d", "position": "bottom-left", "greeting": "Hello there!",
          "launcher_text": "Talk to Ava", "avatar_url": ""}
CORPUS_ID = "33333333-3333-4333-8333-333333333333"


def signed_in_with_an_agent(app):
    """A new customer's client, signed in through the form, and the customer's agent (inside an app context)."""
    customer = factories.make_customer()
    agent = factories.make_agent(customer)
    db.session.commit()
    client = app.test_client()
    assert client.post("/auth/login", data={"email": customer.email, "password": factories.PASSWORD}).status_code == 302
    return client, agent


@pytest.fixture
def bucketed(make_app, s3_bucket, s3_server):
    """A signed-in customer with an agent, on an app whose uploads go to a fresh bucket."""
    app = make_app(**s3_bucket)
    with app.app_context():
        client, agent = signed_in_with_an_agent(app)
        yield app, client, agent, lambda: s3_server.keys(s3_bucket["STORAGE_BUCKET"])


def _upload_avatar(client, agent, content=PNG, filename="me.png"):
    return client.post(f"/agents/{agent.agent_id}/widget", headers=HX, content_type="multipart/form-data",
                       data={**WIDGET, "avatar": (io.BytesIO(content), filename)})


def _avatar_url(agent) -> str:
    db.session.expire_all()
    return db.session.get(Agent, agent.agent_id).ui_config["avatar_url"]


def test_the_app_uses_the_bucket_when_one_is_configured_and_the_instance_folder_otherwise(bucketed, make_app):
    app, *_ = bucketed
    assert isinstance(storage(), S3Storage)
    with make_app().app_context():
        assert isinstance(storage(), LocalStorage)


def test_an_avatar_is_stored_in_the_bucket_and_served_from_it_with_the_same_headers(bucketed):
    app, client, agent, keys = bucketed
    assert _upload_avatar(client, agent).status_code == 200
    url = _avatar_url(agent)
    name = url.rsplit("/", 1)[1]
    assert keys() == {f"{agent.customer_id}/{name.split('_', 1)[1]}"}
    assert not (Path(app.instance_path) / "uploads" / str(agent.customer_id) / name.split("_", 1)[1]).exists()

    response = app.test_client().get(url)  # public: no sign-in
    assert response.status_code == 200 and response.data == PNG
    assert response.headers["Content-Type"] == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response.headers["Content-Security-Policy"]
    assert "max-age=86400" in response.headers["Cache-Control"]
    again = app.test_client().get(url, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""


def test_a_replaced_avatar_is_deleted_from_the_bucket(bucketed):
    app, client, agent, keys = bucketed
    _upload_avatar(client, agent)
    first = _avatar_url(agent)
    _upload_avatar(client, agent)
    second = _avatar_url(agent)
    assert keys() == {f"{agent.customer_id}/{second.rsplit('_', 1)[1]}"}
    assert client.get(first).status_code == 404 and client.get(second).status_code == 200


def test_bad_avatars_are_refused_and_nothing_reaches_the_bucket(bucketed):
    app, client, agent, keys = bucketed
    for content, filename in ((b"<svg onload=alert(1)>", "me.png"), (PNG, "me.svg"), (PNG + b"\x00" * (1024 * 1024), "me.png")):
        assert _upload_avatar(client, agent, content, filename).status_code == 422
    assert keys() == set()


def test_a_knowledge_file_is_stored_in_the_bucket_read_back_and_deleted_with_its_source(bucketed):
    app, client, agent, keys = bucketed
    response = client.post(f"/agents/{agent.agent_id}/knowledge/file", headers=HX, content_type="multipart/form-data",
                           data={"file": (io.BytesIO(PDF), "menu.pdf")})
    assert response.status_code == 200, response.get_data(as_text=True)
    source = db.session.scalars(db.select(KnowledgeSource)).one()
    key = f"{agent.customer_id}/{source.stored_path}"
    assert keys() == {key} and storage().read(key) == PDF
    client.post(f"/agents/{agent.agent_id}/knowledge/{source.knowledge_source_id}/delete", headers=HX)
    assert keys() == set()


def test_bad_knowledge_files_are_refused_and_nothing_reaches_the_bucket(bucketed):
    app, client, agent, keys = bucketed
    for content, filename in ((b"MZ\x90\x00", "menu.pdf"), (b"plain", "menu.exe"), (b"a\x00b", "notes.txt")):
        response = client.post(f"/agents/{agent.agent_id}/knowledge/file", headers=HX,
                               content_type="multipart/form-data", data={"file": (io.BytesIO(content), filename)})
        assert response.status_code == 422
    assert keys() == set()


def test_deleting_an_agent_deletes_its_files_from_the_bucket(bucketed):
    app, client, agent, keys = bucketed
    _upload_avatar(client, agent)
    client.post(f"/agents/{agent.agent_id}/knowledge/file", headers=HX, content_type="multipart/form-data",
                data={"file": (io.BytesIO(PDF), "menu.pdf")})
    assert len(keys()) == 2
    assert client.post(f"/agents/{agent.agent_id}/delete").status_code == 302
    assert keys() == set()


def test_the_sync_job_sends_ultravox_the_file_read_from_the_bucket(make_app, s3_bucket, ultravox):
    target = LocalServer()
    try:
        ultravox.respond("POST", f"/api/corpora/{CORPUS_ID}/uploads", 201,
                         {"documentId": "doc-1", "presignedUrl": f"{target.base_url}/upload"})
        app = make_app(**s3_bucket, ULTRAVOX_API_KEY=ULTRAVOX_KEY, ULTRAVOX_API_BASE=ultravox.base_url)
        with app.app_context():
            agent = factories.make_agent(factories.make_customer(), corpus_id=CORPUS_ID)
            storage().save(f"{agent.customer_id}/abc.txt", b"Cleaning: $90\n", "text/plain")
            source = KnowledgeSource(agent_id=agent.agent_id, kind="file", name="prices.txt", status="pending",
                                     stored_path="abc.txt", content_type="text/plain", size_bytes=14)
            db.session.add(source)
            db.session.commit()
            sync_source(source.knowledge_source_id)
            assert db.session.get(KnowledgeSource, source.knowledge_source_id).status == "ready"
        assert target.requests[-1]["method"] == "PUT" and target.requests[-1]["body"] == "Cleaning: $90\n"
    finally:
        target.stop()


def test_an_unreachable_bucket_refuses_the_upload_with_a_message_and_an_avatar_with_503(make_app, s3_bucket):
    app = make_app(**{**s3_bucket, "STORAGE_URL": f"http://127.0.0.1:{free_port()}"})  # nothing listens there
    with app.app_context():
        client, agent = signed_in_with_an_agent(app)
        response = _upload_avatar(client, agent)
        assert response.status_code == 422 and "could not be stored just now" in response.get_data(as_text=True)
        assert client.get(f"/agents/avatars/{agent.customer_id}_{'a' * 32}.png").status_code == 503
        with pytest.raises(StorageUnavailable):
            storage().read(f"{agent.customer_id}/x.txt")
