"""The signed-in customer, and queries scoped to it: another customer's id is a 404."""
from __future__ import annotations

from typing import TypeVar

from flask import abort
from flask_login import current_user
from werkzeug.local import LocalProxy

from dashboard.extensions import db

T = TypeVar("T")

current_customer = LocalProxy(lambda: current_user)


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
