"""The demo's rows, seeded once per run by `seed_demo` and copied into a test's emptied database in one transaction.

Seeding builds ~200 conversations through the ORM and the rollups (seconds on a loaded CI machine); copying the rows
it left is a few multi-row INSERTs per table. The copy is the seed's output exactly: same ids, hashes and timestamps.
"""
from __future__ import annotations

from sqlalchemy import Integer, insert, select, text

from dashboard.demo.seed import seed_demo
from dashboard.extensions import db

DEMO_LOGIN = ("demo@example.com", "demo-password-e2e")

Snapshot = list[tuple[object, list[dict]]]


def take() -> Snapshot:
    """Seed the demo into the (empty) database of the current app context and read back every row it wrote."""
    seed_demo(DEMO_LOGIN[1], echo=lambda *_: None)
    snapshot = []
    for table in db.metadata.sorted_tables:
        columns = [column for column in table.columns if column.computed is None]
        rows = db.session.execute(select(*columns).order_by(*table.primary_key.columns)).mappings().all()
        if rows:
            snapshot.append((table, [{column.key: row[column.name] for column in columns} for row in rows]))
    db.session.rollback()
    return snapshot


def restore(snapshot: Snapshot) -> tuple[str, str]:
    """Insert the snapshot's rows (parents first) in the current app context; the demo's email and password."""
    postgresql = db.engine.dialect.name == "postgresql"
    for table, rows in snapshot:
        # RETURNING makes SQLAlchemy send 1,000 rows per INSERT; without it psycopg sends a statement per row, and
        # PostgreSQL runs message's statement-level search trigger for each (~4 s of every e2e test's setup).
        db.session.execute(insert(table).returning(*table.primary_key.columns), rows)
        if postgresql:  # ids were given explicitly: move each serial past them, as seeding would have
            for column in table.primary_key.columns:
                if isinstance(column.type, Integer) and column.autoincrement in (True, "auto"):
                    db.session.execute(text(
                        f"SELECT setval(pg_get_serial_sequence('{table.name}', '{column.name}'), "
                        f'(SELECT MAX("{column.name}") FROM "{table.name}"))'))
    db.session.commit()
    return DEMO_LOGIN
