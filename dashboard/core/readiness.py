"""Readiness checks for /readyz: the database at the migrations' head, and Redis and object storage when configured."""
from __future__ import annotations

import time
from collections.abc import Callable
from functools import lru_cache

from alembic.script import ScriptDirectory
from flask import current_app
from redis import Redis
from sqlalchemy import text

from dashboard.extensions import db
from dashboard.storage import storage

TIMEOUT_SECONDS = 2  # each check's limit: a load balancer asks often and must not wait on a hung dependency


class NotReady(Exception):
    """A dependency answered, but not as it must for this process to serve (e.g. migrations behind)."""


@lru_cache(maxsize=4)
def _script_heads(directory: str) -> frozenset[str]:
    # The migration scripts ship with the code, so their head cannot change while the process runs.
    return frozenset(ScriptDirectory(directory).get_heads())


def check_database() -> None:
    """The database answers, and its alembic revision is the scripts' head (no old schema under new code)."""
    try:
        connection = db.session.connection()
        if connection.dialect.name == "postgresql":
            connection.exec_driver_sql(f"SET LOCAL statement_timeout = {TIMEOUT_SECONDS * 1000}")
        # Alembic's own table, read directly: MigrationContext would log two lines on every probe.
        current = frozenset(connection.execute(text("SELECT version_num FROM alembic_version")).scalars())
    finally:
        db.session.rollback()
    expected = _script_heads(current_app.extensions["migrate"].directory)
    if current != expected:
        raise NotReady(f"migrations at {', '.join(sorted(current)) or 'none'}, "
                       f"the code expects {', '.join(sorted(expected))}")


def check_redis() -> None:
    client = Redis.from_url(current_app.config["REDIS_URL"], socket_connect_timeout=TIMEOUT_SECONDS,
                            socket_timeout=TIMEOUT_SECONDS)
    try:
        client.ping()
    finally:
        client.close()


def check_storage() -> None:
    """The object store answers (the bucket's HEAD, through the app's own store and credentials)."""
    storage().ping()


def configured_checks() -> dict[str, Callable[[], None]]:
    checks: dict[str, Callable[[], None]] = {"database": check_database}
    if current_app.config.get("REDIS_URL"):
        checks["redis"] = check_redis
    if current_app.config.get("STORAGE_BUCKET"):
        checks["storage"] = check_storage
    return checks


def readiness() -> tuple[bool, dict[str, dict]]:
    """Run every configured check; (all ok, {name: {"ok", "ms", and "error" when not ok}})."""
    results = {}
    for name, check in configured_checks().items():
        started = time.perf_counter()
        try:
            check()
            result = {"ok": True}
        except Exception as error:  # any failure means "not ready"; the reason names no secret or person
            result = {"ok": False, "error": str(error) if isinstance(error, NotReady) else type(error).__name__}
        result["ms"] = round((time.perf_counter() - started) * 1000, 1)
        results[name] = result
    return all(result["ok"] for result in results.values()), results
