"""Count the SQL statements a block of code runs, to prove list pages make no N+1 queries."""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy import event

from dashboard.extensions import db


@contextmanager
def counting_queries():
    """Yields a list that fills with every statement executed on the app's engine inside the block."""
    statements: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", record)
