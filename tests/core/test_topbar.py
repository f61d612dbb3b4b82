"""The top bar names who is signed in and for which business, each once."""
from __future__ import annotations

import re

from dashboard.auth.models import Member
from dashboard.extensions import db


def _account_name(client) -> str:
    html = client.get("/settings/").get_data(as_text=True)
    return re.search(r'<span class="account-name">(.*?)</span>', html, re.S).group(1).strip()


def test_a_member_named_like_the_business_is_named_once(customer, login_as):
    member = db.session.scalars(db.select(Member).where(Member.customer_id == customer.customer_id)).one()
    member.name = customer.name  # an owner who signed up with the business's name (the demo's owner)
    db.session.commit()
    assert _account_name(login_as(customer)) == customer.name


def test_a_member_with_a_name_of_their_own_is_shown_with_the_business(customer, login_as):
    member = db.session.scalars(db.select(Member).where(Member.customer_id == customer.customer_id)).one()
    assert _account_name(login_as(customer)) == f"{member.name} · {customer.name}"
