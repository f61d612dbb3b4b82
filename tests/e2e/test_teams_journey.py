"""Browser: an owner invites a viewer, who joins, reads but cannot change an agent; made an editor, they can."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from dashboard.auth.models import AuditEvent
from dashboard.extensions import db
from tests import factories
from tests.e2e.conftest import new_page, sign_in
from tests.emails.conftest import smtp, smtp_settings  # noqa: F401  (the SMTP server fixture)
from tests.teams.conftest import invitation_link

SHOTS = Path("/tmp/shots-teams")


@pytest.fixture
def app(make_app, smtp, tmp_path):  # noqa: F811
    app = make_app(**smtp_settings(smtp, tmp_path), WTF_CSRF_ENABLED=True)
    with app.app_context():
        yield app


def shoot(page, screenshot, name):
    path = screenshot(page, name)
    SHOTS.mkdir(exist_ok=True)
    shutil.copy(path, SHOTS / path.name)


def test_invite_a_viewer_who_then_becomes_an_editor(app, live_server, browser, screenshot, smtp):  # noqa: F811
    customer = factories.make_customer(name="Sunrise Dental")
    agent = factories.make_agent(customer, name="Front Desk")
    factories.make_conversation(customer, agent, factories.make_visitor(customer))
    db.session.commit()

    with new_page(browser) as owner, new_page(browser) as teammate:
        sign_in(owner, live_server, customer.email, factories.PASSWORD)
        owner.goto(f"{live_server}/settings/members")
        owner.fill("input[name=email]", "robin@example.com")
        owner.select_option("select[name=role]", "viewer")
        owner.click("text=Send invitation")
        owner.locator(".flash-success").wait_for()
        assert "robin@example.com" in owner.locator("#invitations").inner_text()
        shoot(owner, screenshot, "teams-members")

        teammate.goto(live_server + invitation_link(smtp, "robin@example.com"))
        shoot(teammate, screenshot, "teams-accept")
        teammate.fill("input[name=name]", "Robin Park")
        teammate.fill("input[name=password]", "robins long password")
        teammate.fill("input[name=confirm]", "robins long password")
        teammate.click("button:has-text(\"Join Sunrise Dental\")")
        teammate.wait_for_url(f"{live_server}/")
        teammate.goto(f"{live_server}/conversations/")
        assert teammate.locator("table").count() >= 1 and "Front Desk" in teammate.content()

        teammate.goto(f"{live_server}/agents/{agent.agent_id}")
        save = teammate.locator("button", has_text="Save details")
        assert save.is_disabled()
        assert "Viewer" in save.get_attribute("title")
        assert "can view agents but not change them" in teammate.locator(".role-lock").inner_text()
        shoot(teammate, screenshot, "teams-viewer-agent")
        # A forged request (with a valid CSRF token, past the disabled button) is refused by the server.
        forged = teammate.evaluate("""async (url) => {
            const token = JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRFToken'];
            const body = new URLSearchParams({name: 'Hacked', csrf_token: token});
            const response = await fetch(url, {method: 'POST', body});
            return response.status;
        }""", f"{live_server}/agents/{agent.agent_id}/details")
        assert forged == 403

        owner.goto(f"{live_server}/settings/members")
        row = owner.locator("tr", has_text="Robin Park")
        row.locator("select[name=role]").select_option("editor")
        row.locator("button", has_text="Save").click()
        owner.locator(".flash-success").wait_for()
        assert "Robin Park is now editor" in owner.locator(".flash-success").inner_text()

        teammate.goto(f"{live_server}/agents/{agent.agent_id}")
        teammate.wait_for_url("**/auth/login**")  # the role change ended the session
        sign_in(teammate, live_server, "robin@example.com", "robins long password")
        teammate.goto(f"{live_server}/agents/{agent.agent_id}")
        assert teammate.locator(".role-lock").count() == 0
        teammate.fill("#details input[name=name]", "Reception")
        teammate.click("text=Save details")
        teammate.locator("#details .saved-note").wait_for()

        owner.goto(f"{live_server}/settings/audit")
        shoot(owner, screenshot, "teams-audit")
        db.session.expire_all()
        events = {(event.kind, event.actor_label) for event in db.session.scalars(select(AuditEvent))}
        owner_name = f"Owner {customer.email.removeprefix('owner').split('@')[0]}"
        assert ("invitation.created", owner_name) in events
        assert ("member.created", "Robin Park (accepting an invitation)") in events
        assert ("invitation.updated", "Robin Park (accepting an invitation)") in events
        assert ("member.updated", owner_name) in events
        assert ("agent.updated", "Robin Park") in events
        assert "agent.updated" in owner.content() and "Robin Park" in owner.content()

        owner.set_viewport_size({"width": 390, "height": 844})
        owner.goto(f"{live_server}/settings/members")
        shoot(owner, screenshot, "teams-members-phone")
        owner.goto(f"{live_server}/settings/audit")
        shoot(owner, screenshot, "teams-audit-phone")
        teammate.set_viewport_size({"width": 390, "height": 844})
        teammate.goto(f"{live_server}/settings/")
        shoot(teammate, screenshot, "teams-editor-settings-phone")
