"""An invited person joins with Cognito: their first sign-in becomes a member of the inviting business."""
from __future__ import annotations

from sqlalchemy import select

from dashboard.auth.models import Customer, Member
from dashboard.extensions import db
from dashboard.teams.operations import token_for
from tests import factories
from tests.auth.conftest import provider_callback


def test_an_invitation_accepted_with_cognito_joins_the_business(cognito_app):
    customer = factories.make_customer(name="Invite Co")
    invitation = factories.make_invitation(customer, email="joiner@example.com", role="editor")
    db.session.commit()
    with cognito_app.test_request_context():
        token = token_for(invitation)
    client = cognito_app.test_client()
    start = client.post(f"/invitations/{token}/cognito")
    assert start.status_code == 302 and start.headers["Location"] == "/auth/cognito"
    back = client.get(provider_callback(client, "joiner-sub"))
    assert back.headers["Location"] == "/invitations/cognito/finish"
    joined = client.get("/invitations/cognito/finish")
    assert joined.status_code == 302 and joined.headers["Location"] == "/"
    db.session.expire_all()
    member = db.session.scalars(select(Member).where(Member.cognito_id == "joiner-sub")).one()
    assert (member.customer_id, member.role, member.email) == (customer.customer_id, "editor", "joiner@example.com")
    assert db.session.scalars(select(Customer)).all() == [customer]  # no new business was started
    assert client.get("/agents/").status_code == 200

    # The link was used: a second Cognito identity cannot use it again.
    other = cognito_app.test_client()
    assert other.post(f"/invitations/{token}/cognito").headers["Location"] == f"/invitations/{token}"
