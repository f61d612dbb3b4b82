"""/healthz says the process answers; /readyz says whether every configured dependency does, and recovers by itself."""
from __future__ import annotations

from alembic.script import ScriptDirectory
from flask_migrate import upgrade

from tests.core import test_jobs_worker

redis_server = test_jobs_worker.redis_server  # the fixture: a redis-server on a port of the test's own


def readiness_of(app) -> tuple[int, dict]:
    response = app.test_client().get("/readyz")
    return response.status_code, response.get_json()


def test_liveness_answers_without_asking_the_database(make_app, tmp_path):
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/missing/dir/db.sqlite3")
    assert app.test_client().get("/healthz").get_json() == {"status": "ok"}
    status, body = readiness_of(app)
    assert status == 503 and body["status"] == "unavailable"
    assert body["checks"]["database"]["ok"] is False and body["checks"]["database"]["error"] == "OperationalError"


def test_readiness_reports_each_check_with_its_time(make_app):
    status, body = readiness_of(make_app())
    assert status == 200 and body["status"] == "ok"
    assert list(body["checks"]) == ["database"]  # Redis and storage are asked only when configured
    assert body["checks"]["database"]["ok"] is True and body["checks"]["database"]["ms"] >= 0


def test_readiness_fails_while_redis_is_down_and_recovers_without_a_restart(make_app, redis_server):
    app = make_app(REDIS_URL=redis_server.url)
    status, body = readiness_of(app)
    assert status == 200 and body["checks"]["redis"]["ok"] is True

    redis_server.stop()
    status, body = readiness_of(app)
    assert status == 503 and body["status"] == "unavailable"
    assert body["checks"]["redis"] == {"ok": False, "error": "ConnectionError", "ms": body["checks"]["redis"]["ms"]}
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["redis"]["ms"] < 2500  # the check's own timeout, not the load balancer's

    redis_server.start()  # same port: the app is not restarted
    status, body = readiness_of(app)
    assert status == 200 and body["checks"]["redis"]["ok"] is True


def test_readiness_fails_while_the_database_is_behind_the_migrations(make_app, tmp_path):
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path}/older.sqlite3")
    directory = app.extensions["migrate"].directory
    head = ScriptDirectory(directory).get_revision("head")
    with app.app_context():
        upgrade(directory, revision=head.down_revision)  # the schema the previous release ran on
    status, body = readiness_of(app)
    assert status == 503
    assert body["checks"]["database"]["ok"] is False
    assert body["checks"]["database"]["error"] == (f"migrations at {head.down_revision}, "
                                                   f"the code expects {head.revision}")

    with app.app_context():
        upgrade(directory)  # `flask db upgrade`, as the release's first step
    assert readiness_of(app)[0] == 200


def test_health_endpoints_need_no_sign_in(client):
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 200


def test_readiness_asks_the_object_store_with_the_apps_own_credentials(make_app, s3_bucket):
    ready = make_app(**s3_bucket).test_client().get("/readyz")
    assert ready.status_code == 200 and ready.json["checks"]["storage"]["ok"] is True

    missing = make_app(**{**s3_bucket, "STORAGE_BUCKET": "no-such-bucket"}).test_client().get("/readyz")
    assert missing.status_code == 503 and missing.json["checks"]["storage"]["ok"] is False
