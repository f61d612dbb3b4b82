"""Row ids read from URLs and query strings, bounded to what an INTEGER column holds.

A larger number cannot name a row, so it is simply "not found" (or ignored in a query string)
instead of an overflow error from the database.
"""
from werkzeug.routing import IntegerConverter, ValidationError

MAX_ID = 2**31 - 1


def id_arg(value: str) -> int:
    """For `request.args.get(name, type=id_arg)`: a positive id, else ValueError (so the default is used)."""
    number = int(value)
    if not 0 < number <= MAX_ID:
        raise ValueError(f"{value!r} is not an id")
    return number


class BoundedIntegerConverter(IntegerConverter):
    """The `int` URL converter, refusing numbers no row can have (the route then does not match: 404)."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def checked_id(number: int) -> int:
    """For converters of their own: the id, or ValidationError so the route does not match."""
    if not 0 < number <= MAX_ID:
        raise ValidationError()
    return number
