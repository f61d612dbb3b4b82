"""Invitations (mail gateway, single use, 7 days, revoke, resend), roles changing and members leaving, the last owner."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from dashboard.auth.models import ApiKey, AuditEvent, Invitation, Member
from dashboard.auth.operations import owner_member
from dashboard.database import utcnow
from dashboard.emails.models import EmailLog
from tests import factories
from tests.teams.conftest import invitation_link
from tests.teams.test_roles import member_client


def _invite(client, email, role="viewer", **extra):
    return client.post("/settings/members/invite", data={"email": email, "role": role, **extra})


def test_an_invitation_is_emailed_accepted_once_and_joins_the_business(app, db, customer, smtp):
    owner = owner_member(customer)
    client = member_client(app, owner)
    assert _invite(client, "Pat@Example.com", "editor").status_code == 302
    link = invitation_link(smtp, "pat@example.com")
    assert db.session.scalar(select(EmailLog.email_log_id)) is None  # not in the follow-up send log

    newcomer = app.test_client()
    page = newcomer.get(link)
    assert page.status_code == 200 and "Join Business" in page.get_data(as_text=True)
    joined = newcomer.post(link, data={"name": "Pat Lee", "password": "a long password", "confirm": "a long password"})
    assert joined.status_code == 302
    pat = db.session.scalars(select(Member).where(Member.email == "pat@example.com")).one()
    assert (pat.customer_id, pat.role, pat.name) == (customer.customer_id, "editor", "Pat Lee")
    assert newcomer.get("/agents/").status_code == 200  # signed in

    again = app.test_client().post(link, data={"name": "Eve", "password": "another password", "confirm": "another password"})
    assert again.status_code == 410 and "already been used" in again.get_data(as_text=True)
    signed_in = app.test_client().post("/auth/login", data={"email": "pat@example.com", "password": "a long password"})
    assert signed_in.status_code == 302


def test_expired_revoked_resent_and_forged_links(app, db, customer, smtp):
    client = member_client(app, owner_member(customer))
    _invite(client, "sam@example.com")
    first = invitation_link(smtp, "sam@example.com")
    invitation = db.session.scalars(select(Invitation)).one()

    assert client.post(f"/settings/members/invitations/{invitation.invitation_id}/resend").status_code == 302
    second = invitation_link(smtp, "sam@example.com")
    assert second != first
    assert app.test_client().get(first).status_code == 404  # the old link stopped working
    assert app.test_client().get(second[:-3] + "abc").status_code == 404  # nor can one be made up

    invitation.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert "expired" in app.test_client().get(second).get_data(as_text=True)
    client.post(f"/settings/members/invitations/{invitation.invitation_id}/resend")
    third = invitation_link(smtp, "sam@example.com")
    assert app.test_client().get(third).status_code == 200  # resent: 7 more days

    client.post(f"/settings/members/invitations/{invitation.invitation_id}/revoke")
    refused = app.test_client().post(third, data={"name": "Sam", "password": "a long password", "confirm": "a long password"})
    assert refused.status_code == 410 and "withdrawn" in refused.get_data(as_text=True)
    assert db.session.scalar(select(Member).where(Member.email == "sam@example.com")) is None


def test_role_change_and_removal_end_sessions_at_once(app, db, customer):
    owner = owner_member(customer)
    teammate = factories.make_member(customer, role="viewer")
    _, secret = factories.make_api_key(customer, "theirs")
    key = db.session.scalars(select(ApiKey)).one()
    key.member_id = teammate.member_id
    db.session.commit()
    admin_client, teammate_client = member_client(app, owner), member_client(app, teammate)
    agent = factories.make_agent(customer)
    db.session.commit()
    assert teammate_client.post(f"/agents/{agent.agent_id}/details", data={"name": "X"}).status_code == 403

    assert admin_client.post(f"/settings/members/{teammate.member_id}/role", data={"role": "editor"}).status_code == 302
    assert teammate_client.get("/agents/").status_code == 302  # signed out at once
    teammate_client = member_client(app, teammate)
    assert teammate_client.post(f"/agents/{agent.agent_id}/details", data={"name": "X"}).status_code != 403

    api = {"Authorization": f"Bearer {secret}"}
    assert app.test_client().get("/api/v1/customers", headers=api).status_code == 200
    assert admin_client.post(f"/settings/members/{teammate.member_id}/remove").status_code == 302
    assert teammate_client.get("/agents/").status_code == 302
    assert app.test_client().get("/api/v1/customers", headers=api).status_code == 401  # their key is revoked


def test_the_last_owner_cannot_be_removed_or_demoted_and_admins_cannot_touch_owners(app, db, customer):
    owner = owner_member(customer)
    admin = factories.make_member(customer, role="admin")
    db.session.commit()
    client = member_client(app, owner)
    client.post(f"/settings/members/{owner.member_id}/role", data={"role": "admin"})
    client.post(f"/settings/members/{owner.member_id}/remove")
    db.session.expire_all()
    assert db.session.get(Member, owner.member_id).role == "owner"
    page = client.get("/settings/members").get_data(as_text=True)
    assert "last owner" in page

    admin_client = member_client(app, admin)
    admin_client.post(f"/settings/members/{owner.member_id}/remove")
    admin_client.post(f"/settings/members/{admin.member_id}/role", data={"role": "owner"})
    db.session.expire_all()
    assert db.session.get(Member, owner.member_id) is not None
    assert db.session.get(Member, admin.member_id).role == "admin"
    assert "Only an owner" in admin_client.get("/settings/members").get_data(as_text=True)

    # With a second owner, the first may step down.
    client.post(f"/settings/members/{admin.member_id}/role", data={"role": "owner"})
    client = member_client(app, owner)
    client.post(f"/settings/members/{owner.member_id}/role", data={"role": "admin"})
    db.session.expire_all()
    assert db.session.get(Member, owner.member_id).role == "admin"


def test_plan_seats_cap_members_and_pending_invitations(app, db, smtp):
    customer = factories.make_customer(with_contract=False)
    factories.make_contract(customer, factories.make_plan(max_members=2))
    db.session.commit()
    client = member_client(app, owner_member(customer))
    assert _invite(client, "one@example.com").status_code == 302
    refused = _invite(client, "two@example.com")
    assert refused.status_code == 422 and "every seat is taken" in refused.get_data(as_text=True)
    billing = client.get("/billing/").get_data(as_text=True)
    assert "Members" in billing and "2 of 2" in billing


def test_changes_are_in_the_audit_log_with_who_address_and_masked_secrets(app, db, customer, smtp):
    owner = owner_member(customer)
    agent = factories.make_agent(customer)
    db.session.commit()
    client, old_name = member_client(app, owner), agent.name
    client.post(f"/agents/{agent.agent_id}/details", data={"name": "Reception", "description": "Greets"})
    client.post("/settings/api-keys", data={"name": "Zapier"})
    _invite(client, "kim@example.com", "viewer")
    events = db.session.scalars(select(AuditEvent).order_by(AuditEvent.audit_event_id)).all()
    kinds = [event.kind for event in events]
    assert "api_key.created" in kinds and "invitation.created" in kinds
    key_event = next(event for event in events if event.kind == "api_key.created")
    assert key_event.actor_label == owner.name and key_event.actor_member_id == owner.member_id
    assert key_event.ip_address == "127.0.0.1"
    assert key_event.changes["key_hash"] == [None, "••••••"] and key_event.changes["name"] == [None, "Zapier"]
    agent_event = next(event for event in events if event.kind == "agent.updated")
    assert agent_event.changes["name"] == [old_name, "Reception"]
    invitation_event = next(event for event in events if event.kind == "invitation.created")
    assert invitation_event.changes["nonce"] == [None, "••••••"]

    page = client.get("/settings/audit?kind=api_key").get_data(as_text=True)
    assert "api_key.created" in page and "invitation.created" not in page
    csv_text = client.get(f"/settings/audit.csv?member={owner.member_id}").get_data(as_text=True)
    assert csv_text.startswith("time,who,actor_kind,address,kind,subject,changes") and "api_key.created" in csv_text
    assert client.get("/settings/audit?since=yesterday").status_code == 400
    db.session.expire_all()
    assert db.session.scalars(select(AuditEvent).where(AuditEvent.kind == "export")).one().subject == "audit log CSV"


def test_no_route_changes_or_deletes_audit_records(app):
    for rule in app.url_map.iter_rules():
        if "audit" in rule.rule:
            assert rule.methods - {"GET", "HEAD", "OPTIONS"} == set(), rule.rule


def test_api_keys_record_their_member_act_with_its_role_and_are_named_in_the_log(app, db, customer):
    admin = factories.make_member(customer, role="admin", name="Ada Admin")
    db.session.commit()
    client = member_client(app, admin)
    created = client.post("/settings/api-keys", data={"name": "Zapier"})
    secret = created.get_data(as_text=True).split('value="acx_', 1)[1].split('"', 1)[0]
    key = db.session.scalars(select(ApiKey)).one()
    assert key.member_id == admin.member_id
    assert "by Ada Admin" in client.get("/settings/").get_data(as_text=True)

    headers = {"Authorization": f"Bearer acx_{secret}"}
    lead = {"contact": {"first_name": "Ava", "email": "ava@example.net"}}
    assert app.test_client().post("/api/v1/customers", json=lead, headers=headers).status_code == 201
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.kind == "lead.created")).one()
    assert (event.actor_kind, event.actor_member_id, event.actor_api_key_id) == ("api_key", admin.member_id,
                                                                                 key.api_key_id)
    assert event.actor_label == f"API key Zapier ({key.prefix}…)"

    owner_client = member_client(app, owner_member(customer))
    owner_client.post(f"/settings/members/{admin.member_id}/role", data={"role": "viewer"})
    refused = app.test_client().post("/api/v1/customers", json=lead, headers=headers)
    assert refused.status_code == 403 and "Viewer" in refused.get_json()["detail"]
    assert app.test_client().get("/api/v1/customers", headers=headers).status_code == 200
