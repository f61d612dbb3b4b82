"""The published contract: /api/v1/openapi.json (OpenAPI 3.1) assembled from the schemas the API validates with,
the /api/docs reference page, and schemathesis against a live gunicorn finding no failure with every check."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from dashboard.extensions import db
from dashboard.webhooks_out.operations import EVENTS
from tests import factories
from tests.live_servers import app_environment, start_gunicorn, stop

HERE = Path(__file__).parent
EXAMPLES = 3  # per operation in the fuzzing phase; the coverage phase (every boundary and invalid case the schemas
# define, about 2,100 requests) is most of the ~65 s this takes on SQLite. The examples phase (12 s more) is left
# out to keep CI short.


def test_the_document_covers_every_api_operation_and_every_webhook_event(app, client):
    document = client.get("/api/v1/openapi.json").get_json()  # public: no API key
    assert document["openapi"] == "3.1.0"
    operations = {(method, path) for path, item in document["paths"].items() for method in item}
    routes = {(method.lower(), rule.rule.removeprefix("/api/v1") or "/") for rule in app.url_map.iter_rules()
              if rule.endpoint.startswith("api.") for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert len(operations) == len(routes) >= 37
    assert ("get", "/customers/{lead_id}") in operations and ("put", "/matches/{match_id}") in operations
    assert ("post", "/services") in operations and ("post", "/conversations") in operations
    create = document["paths"]["/customers"]["post"]
    assert create["requestBody"]["content"]["application/json"]["example"]["contact"]["email"]
    assert set(create["responses"]) >= {"201", "409", "422"}
    assert set(document["webhooks"]) == {*EVENTS, "ping"}
    payload = document["webhooks"]["interaction.created"]["post"]["requestBody"]["content"]["application/json"]
    assert payload["schema"]["properties"]["data"]["properties"]["object"]["properties"]["ai_analysis"]
    index = client.get("/api/v1/", headers={"Authorization": f"Bearer {factories.make_api_key(_owner())[1]}"})
    assert index.get_json()["openapi"] == "/api/v1/openapi.json"
    page = client.get(index.get_json()["documentation"])
    assert page.status_code == 200 and b"vendor/redoc-2.5.1.standalone.js" in page.data
    assert client.get("/static/vendor/redoc-2.5.1.standalone.js").status_code == 200


def _owner():
    customer = factories.make_customer()
    db.session.commit()
    return customer


def test_schemathesis_against_a_live_server_finds_nothing(app, migrated, tmp_path):
    customer = factories.make_customer()
    agent = factories.make_agent(customer)
    lead = factories.make_lead(customer)
    factories.make_interaction(customer, lead)
    service = factories.make_service(customer)
    factories.make_match(customer, lead, service)
    db.session.commit()
    _, secret = factories.make_api_key(customer)
    assert agent.agent_id
    process, base = start_gunicorn(app_environment(migrated, tmp_path / "instance"), tmp_path / "gunicorn.log")
    try:
        run = subprocess.run(
            [sys.executable, "-m", "schemathesis.cli", "--config-file", str(HERE / "schemathesis.toml"), "run",
             f"{base}/api/v1/openapi.json", "--url", f"{base}/api/v1", "-H", f"Authorization: Bearer {secret}",
             "--checks", "all", "--phases", "coverage,fuzzing,stateful", "--max-examples", str(EXAMPLES), "--generation-deterministic",
             "--generation-codec", "utf-8", "--generation-allow-x00", "false", "--no-color"],
            capture_output=True, text=True, timeout=240, cwd=tmp_path)
    finally:
        stop(process)
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert " passed" in run.stdout and "failures" not in run.stdout.splitlines()[-1]
