"""The signed-in customer, and queries scoped to it: another customer's id is a 404."""
from __future__ import annotations

from typing import TypeVar

from flask import abort, g
from flask_login import current_user
from werkzeug.local import LocalProxy

from dashboard.extensions import db

T = TypeVar("T")

def _current_customer():
    # The JSON API authenticates by key (g.api_customer); pages by the signed-in session.
    return g.get("api_customer") or current_user._get_current_object()


current_customer = LocalProxy(_current_customer)


def scoped(model: type[T]):
    """A select of `model` limited to the current customer's rows."""
    return model.owned_select(current_customer.customer_id)


def get_owned_or_404(model: type[T], object_id: int) -> T:
    """The current customer's `model` row with this primary key, or 404 (never 403)."""
    pk = model.__mapper__.primary_key[0]
    found = db.session.scalars(scoped(model).where(pk == object_id)).first()
    if found is None:
        abort(404)
    return found


# URL argument name -> the customer-owned model it names (filled by dashboard/models.py, which sees every model).
ID_ARGUMENTS: dict[str, type] = {}


def names_foreign_row(view_args: dict) -> bool:
    """True when an id in the URL names no row of the current customer's (another customer's, or none).

    A refused request answers 404 rather than 403 then, so another customer's ids look alike whatever the role.
    """
    for arg, value in view_args.items():
        model = ID_ARGUMENTS.get(arg)
        if model is None or not hasattr(model, "owned_select") or not isinstance(value, int):
            continue
        pk = model.__mapper__.primary_key[0]
        if db.session.scalar(scoped(model).with_only_columns(pk).where(pk == value).limit(1)) is None:
            return True
    return False
