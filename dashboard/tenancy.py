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
