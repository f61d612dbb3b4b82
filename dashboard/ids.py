"""Row ids read from URLs and query strings, bounded to what an INTEGER column holds.

A larger number cannot name a row, so it is simply "not found" (or ignored in a query string)
instead of an overflow error from the database.
"""
from werkzeug.routing import IntegerConverter

MAX_ID = 2**31 - 1


def id_arg(value: str) -> int:
    """For `request.args.get(name, type=id_arg)`: a positive id, else ValueError (so the default is used)."""
    number = int(value)
    if not 0 < number <= MAX_ID:
        raise ValueError(f"{value!r} is not an id")
    return number


class BoundedIntegerConverter(IntegerConverter):
    """The `int` URL converter for row ids: a number no row can have becomes 0, which names no row, so the view's
    lookup answers 404. (Refusing it in the converter made Werkzeug answer 405 when the path has several
    method-specific rules.)"""

    def to_python(self, value: str) -> int:
        number = int(value)
        return number if 0 < number <= MAX_ID else 0


def checked_id(number: int) -> int:
    """For converters of their own: the id, or 0 (which names no row: the view's lookup is a 404)."""
    return number if 0 < number <= MAX_ID else 0
