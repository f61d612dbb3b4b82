"""The agent against Ultravox (a Prism stand-in checking every request against the OpenAPI spec)."""
import io
import json

import pytest
from sqlalchemy import create_engine, text

from dashboard.agents.ultravox_compile import compile_call
from dashboard.agents.widget.operations import widget_token
from dashboard.extensions import db
from dashboard.models import Agent, KnowledgeSource
from tests import factories
from tests.standins.fixtures import ULTRAVOX_KEY

HX = {"HX-Request": "true"}
VOICES = {"next": None, "previous": None, "total": 2, "results": [
    {"voiceId": "11111111-1111-4111-8111-111111111111", "name": "Riya", "description": "Warm Hindi voice",
     "primaryLanguage": "hi-IN", "languageLabel": "🇮🇳 Hindi (India)", "provider": "cartesia",
     "previewUrl": "https://example.com/p", "ownership": "public", "billingStyle": "VOICE_BILLING_STYLE_INCLUDED",
     "definition": {}},
    {"voiceId": "22222222-2222-4222-8222-222222222222", "name": "Otto", "description": "Calm German voice",
     "primaryLanguage": "de-DE", "languageLabel": "🇩🇪 German (Germany)", "provider": "eleven_labs",
     "previewUrl": "https://example.com/p", "ownership": "public", "billingStyle": "VOICE_BILLING_STYLE_INCLUDED",
     "definition": {}},
]}
CORPUS_ID = "33333333-3333-4333-8333-333333333333"


@pytest.fixture
def ultravox(ultravox):
    """The shared stand-in, answering the voice catalog and corpus creation with fixed data."""
    ultravox.respond("GET", "/api/voices", 200, VOICES)
    ultravox.respond("POST", "/api/corpora", 201, {"corpusId": CORPUS_ID, "name": "x"})
    return ultravox


@pytest.fixture
def builder(make_app, ultravox):
    """A signed-in client of an app configured for the stand-in, and the customer's agent with a tool."""
    app = make_app(ULTRAVOX_API_KEY=ULTRAVOX_KEY, ULTRAVOX_API_BASE=ultravox.base_url)
    with app.app_context():
        customer = factories.make_customer()
        prompt = factories.make_prompt(content="You are the receptionist.")
        agent = factories.make_agent(customer, prompt_id=prompt.prompt_id, voice="Riya", temperature=0.3,
                                     brand_info="Sunrise Dental, open 8-6.")
        tool = factories.make_tool(agent, name="lookup_order", url="https://api.example.com/orders/{order_id}",
                                   dynamic_params=[{"name": "order_id", "location": "path", "schema": {"type": "string"},
                                             "required": True}])
        tool.static_params = [{"name": "X-Shop", "location": "header", "value": "main"}]
        db.session.commit()
        client = app.test_client()
        client.post("/auth/login", data={"email": customer.email, "password": factories.PASSWORD})
        ultravox.requests.clear()
        yield client, agent


def sent(ultravox, method, path_start):
    return [r for r in ultravox.requests if r.method == method and r.path.startswith(path_start)]


def test_the_voice_catalog_comes_from_ultravox_with_the_key(builder, ultravox):
    client, agent = builder
    html = client.get(f"/agents/{agent.agent_id}/voices?language=de", headers=HX).get_data(as_text=True)
    assert 'value="Otto"' in html and 'value="Riya"' not in html and "German (Germany)" in html
    assert ULTRAVOX_KEY not in html
    (listed,) = sent(ultravox, "GET", "/api/voices")
    assert listed.headers["X-API-Key"] == ULTRAVOX_KEY


def test_voice_previews_are_proxied_so_the_key_stays_on_the_server(builder, ultravox):
    client, agent = builder
    response = client.get("/agents/voices/22222222-2222-4222-8222-222222222222/preview")
    assert response.status_code == 200 and response.content_type == "audio/wav"
    assert sent(ultravox, "GET", "/api/voices/22222222-2222-4222-8222-222222222222/preview")
    assert client.get("/agents/voices/99999999-9999-4999-8999-999999999999/preview").status_code == 404


def test_the_compiled_call_is_accepted_by_the_spec_and_shows_the_join_url(builder, ultravox):
    client, agent = builder
    response = client.post(f"/agents/{agent.agent_id}/test-call", headers=HX)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert "Call started" in response.get_data(as_text=True)
    (call,) = sent(ultravox, "POST", "/api/calls")
    body = call.json
    assert body["systemPrompt"].startswith("You are the receptionist.") and "Sunrise Dental" in body["systemPrompt"]
    assert body["temperature"] == 0.3 and body["voice"] == "Riya" and body["metadata"] == {"agent_id": str(agent.agent_id)}
    tool = body["selectedTools"][0]["temporaryTool"]
    assert tool["modelToolName"] == "lookup_order"
    assert tool["http"] == {"baseUrlPattern": "https://api.example.com/orders/{order_id}", "httpMethod": "GET"}
    assert tool["dynamicParameters"] == [{"name": "order_id", "location": "PARAMETER_LOCATION_PATH",
                                          "schema": {"type": "string"}, "required": True}]
    assert tool["staticParameters"] == [{"name": "X-Shop", "location": "PARAMETER_LOCATION_HEADER", "value": "main"}]


def test_the_embed_section_shows_the_compiled_json(builder):
    client, agent = builder
    html = client.get(f"/agents/{agent.agent_id}").get_data(as_text=True)
    assert "PARAMETER_LOCATION_PATH" in html and 'data-copy="#embed-snippet"' in html
    assert f'data-agent=&#34;{widget_token(agent)}&#34;' in html  # escaped inside the textarea


def test_a_web_source_goes_to_a_new_corpus(builder, ultravox):
    client, agent = builder
    response = client.post(f"/agents/{agent.agent_id}/knowledge/web", headers=HX,
                           data={"url": "https://93.184.215.14/faq", "name": "FAQ"})
    assert response.status_code == 200, response.get_data(as_text=True)
    source = db.session.scalars(db.select(KnowledgeSource)).one()
    assert source.status == "ready" and source.ultravox_source_id
    assert db.session.get(Agent, agent.agent_id).corpus_id == CORPUS_ID
    (created,) = sent(ultravox, "POST", f"/api/corpora/{CORPUS_ID}/sources")
    assert created.json["crawl"]["startUrls"] == ["https://93.184.215.14/faq"]
    assert compile_call(db.session.get(Agent, agent.agent_id))["selectedTools"][-1]["toolName"] == "queryCorpus"


def test_a_file_is_uploaded_to_the_presigned_url_then_added_as_a_source(builder, ultravox, local_server):
    client, agent = builder
    ultravox.respond("POST", f"/api/corpora/{CORPUS_ID}/uploads", 201,
                     {"documentId": "doc-1", "presignedUrl": f"{local_server.base_url}/upload"})
    agent.corpus_id = CORPUS_ID
    db.session.commit()
    response = client.post(f"/agents/{agent.agent_id}/knowledge/file", headers=HX, content_type="multipart/form-data",
                           data={"file": (io.BytesIO(b"Cleaning: $90\n"), "prices.txt")})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert local_server.requests[-1]["method"] == "PUT" and local_server.requests[-1]["body"] == "Cleaning: $90\n"
    (created,) = sent(ultravox, "POST", f"/api/corpora/{CORPUS_ID}/sources")
    assert created.json["upload"] == {"documentIds": ["doc-1"]}
    assert db.session.scalars(db.select(KnowledgeSource)).one().status == "ready"


def test_an_ultravox_failure_marks_the_source_failed(builder, ultravox):
    client, agent = builder
    ultravox.respond("POST", r"/api/corpora/[^/]+/sources", 500, {"detail": "boom"})
    try:
        client.post(f"/agents/{agent.agent_id}/knowledge/web", headers=HX, data={"url": "https://93.184.215.14/x"})
    finally:
        ultravox.respond("POST", r"/api/corpora/[^/]+/sources", 201, {"sourceId": "src-ok"})
    source = db.session.scalars(db.select(KnowledgeSource)).one()
    assert source.status == "failed" and "Ultravox answered 500" in source.status_detail


def test_without_ultravox_the_test_call_says_not_configured(signed_in, agent):
    response = signed_in.post(f"/agents/{agent.agent_id}/test-call", headers=HX)
    assert response.status_code == 409 and "not configured" in response.get_data(as_text=True)
    assert json.loads(json.dumps(compile_call(agent)))["metadata"] == {"agent_id": str(agent.agent_id)}


def test_a_failed_source_can_be_synced_again(builder, ultravox):
    client, agent = builder
    source = factories.make_knowledge_source(agent, status_detail="Ultravox answered 500")
    source.status = "failed"
    db.session.commit()
    response = client.post(f"/agents/{agent.agent_id}/knowledge/{source.knowledge_source_id}/sync", headers=HX)
    assert response.status_code == 200
    db.session.expire_all()
    synced = db.session.get(KnowledgeSource, source.knowledge_source_id)
    assert synced.status == "ready" and synced.ultravox_source_id


def test_the_library_prompts_business_placeholder_is_filled_in(app, customer):
    prompt = factories.make_prompt(content="You are the assistant for {business}.")
    agent = factories.make_agent(customer, prompt_id=prompt.prompt_id)
    assert compile_call(agent, "Sunrise Dental")["systemPrompt"].startswith("You are the assistant for Sunrise Dental.")


def test_the_source_is_committed_as_syncing_before_ultravox_is_called(builder, ultravox, monkeypatch):
    """The job commits its status first: another connection sees it while Ultravox is answering."""
    client, agent = builder
    other_connection = create_engine(client.application.config["SQLALCHEMY_DATABASE_URI"])
    seen = []
    record = ultravox._record

    def record_and_look(entry):
        if entry.method == "POST" and entry.path.endswith("/sources"):
            with other_connection.connect() as conn:
                seen.extend(conn.execute(text("SELECT status FROM knowledge_source")).scalars())
        record(entry)

    monkeypatch.setattr(ultravox, "_record", record_and_look)
    try:
        client.post(f"/agents/{agent.agent_id}/knowledge/web", headers=HX, data={"url": "https://93.184.215.14/faq"})
    finally:
        other_connection.dispose()
    assert seen == ["syncing"]
    assert db.session.scalars(db.select(KnowledgeSource.status)).one() == "ready"
