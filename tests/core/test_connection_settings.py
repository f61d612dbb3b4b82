"""Every new database connection gets the settings the app relies on, whichever engine opened it."""
from sqlalchemy import text

from dashboard.extensions import db


def test_each_connection_is_set_up_for_its_database(app):
    with db.engine.connect() as conn:
        if db.engine.dialect.name == "postgresql":
            # JIT compiled a capped search count's plan for 38-500 ms to save less (bench/analytics.py).
            assert conn.execute(text("SHOW jit")).scalar() == "off"
        else:
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
