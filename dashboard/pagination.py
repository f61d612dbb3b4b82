"""Keyset pagination for every list (pages and API): one helper, one opaque cursor format."""
from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Select, literal, tuple_
from sqlalchemy.orm import InstrumentedAttribute
from sqlalchemy.types import TypeDecorator

from dashboard.extensions import db

MAX_CURSOR_LENGTH = 256  # a cursor holds a few sort-key values; anything longer is not one of ours
MAX_TEXT_VALUE = 200
BIGINT = 2**63  # the widest integer column a sort key can be (PostgreSQL BIGINT)
_CURSOR_ALPHABET = re.compile(r"[A-Za-z0-9_-]+")  # URL-safe base64, without padding

Order = Sequence[InstrumentedAttribute]


class InvalidCursor(ValueError):
    """A cursor that this application did not issue for this list (tampered, truncated or from another list)."""


@dataclass(frozen=True)
class KeysetPage:
    rows: list  # entities for a select of one entity, else result rows
    next_cursor: str | None  # None on the last page

    @property
    def has_more(self) -> bool:
        return self.next_cursor is not None


def encode_cursor(values: Sequence) -> str:
    """The opaque cursor for these sort-key values: URL-safe base64 of a JSON list, datetimes as UTC ISO 8601."""
    plain = [value.astimezone(UTC).isoformat() if isinstance(value, datetime) else value for value in values]
    packed = json.dumps(plain, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(packed).decode().rstrip("=")


def decode_cursor(cursor: str, order: Order) -> tuple:
    """The sort-key values a cursor holds, checked against `order`'s column types; InvalidCursor otherwise."""
    if len(cursor) > MAX_CURSOR_LENGTH or not _CURSOR_ALPHABET.fullmatch(cursor):
        raise InvalidCursor("The cursor is not one this list issued.")
    try:
        values = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError):  # bad base64, bytes that are not UTF-8, text that is not JSON
        raise InvalidCursor("The cursor is not one this list issued.") from None
    if not isinstance(values, list) or len(values) != len(order):
        raise InvalidCursor("The cursor is not one this list issued.")
    return tuple(_checked(value, _python_type(column)) for value, column in zip(values, order, strict=True))


def _python_type(column: InstrumentedAttribute) -> type:
    # A TypeDecorator (UTCDateTime) does not report its Python type; the type it decorates does.
    column_type = column.type
    return (column_type.impl_instance if isinstance(column_type, TypeDecorator) else column_type).python_type


def _checked(value, kind: type):
    if kind is int and type(value) is int and -BIGINT <= value < BIGINT:
        return value
    if kind is str and isinstance(value, str) and len(value) <= MAX_TEXT_VALUE and "\x00" not in value:
        return value
    if kind is datetime and isinstance(value, str) and value.isascii() and len(value) <= 40:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            moment = None
        # Only the form encode_cursor writes (UTC, ISO 8601): fromisoformat alone lets odd strings through.
        if moment is not None and moment.tzinfo is not None and moment.astimezone(UTC).isoformat() == value:
            return moment.astimezone(UTC)
    raise InvalidCursor("The cursor is not one this list issued.")


def keyset_page(query: Select, order: Order, after: str | None = None, limit: int = 50,
                ascending: bool = False) -> KeysetPage:
    """A page of `query` ordered by `order` (newest first unless `ascending`), starting after the cursor `after`.

    `order` lists the mapped columns of the sort key, ending with a unique one (the primary key) so
    no two rows tie. Fetching one row past `limit` tells whether another page exists, so a list of
    exactly `limit` rows has no next page.
    """
    if not order:
        raise ValueError("keyset_page needs at least one column to order by")
    query = query.order_by(None).order_by(*(column if ascending else column.desc() for column in order))
    if after:
        values = decode_cursor(after, order)
        columns = tuple_(*order) if len(order) > 1 else order[0]
        bounds = [literal(value, column.type) for value, column in zip(values, order, strict=True)]
        bound = tuple_(*bounds) if len(order) > 1 else bounds[0]
        # A row-value comparison, so an index on the sort key serves it as a range.
        query = query.where(columns > bound if ascending else columns < bound)
    result = db.session.execute(query.limit(limit + 1))
    rows = list(result.scalars() if len(query.column_descriptions) == 1 else result)
    if len(rows) <= limit:
        return KeysetPage(rows, None)
    rows = rows[:limit]
    return KeysetPage(rows, encode_cursor(sort_key(rows[-1], order)))


def sort_key(row, order: Order) -> tuple:
    """The values of `order`'s columns in a row: an entity, a result row holding the columns' entities, or a
    result row of plain columns that include them."""
    values = []
    mapping = getattr(row, "_mapping", None)
    for column in order:
        if mapping is not None and column in mapping:
            values.append(mapping[column])
            continue
        owner = row if isinstance(row, column.class_) else next(item for item in row if isinstance(item, column.class_))
        values.append(getattr(owner, column.key))
    return tuple(values)


def keyset_batches(query: Select, order: Order, size: int) -> Iterator[list]:
    """Every row of `query`, `size` at a time by keyset (never all at once, never an OFFSET scan)."""
    after = None
    while True:
        page = keyset_page(query, order, after, size)
        if page.rows:
            yield page.rows
        if not page.has_more:
            return
        after = page.next_cursor
