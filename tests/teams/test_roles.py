"""Roles, checked on every route of the URL map for every role, and another customer's ids 404 whatever the role."""
from __future__ import annotations

import pytest

from dashboard.auth.api_keys import create_api_key
from tests import factories
from tests.core.test_tenancy import OWNED, id_routes, shared_value

# What each role may do, written out independently of dashboard/auth/permissions.py.
# Every API write but the webhook endpoints' (leads, services, matches, assignments, conversations sent in).
EDITOR_WRITES = ("agents.", "integrations.", "agent_integrations.", "emails.", "crm.", "api.")
ADMIN_ONLY = ("billing.", "onboarding.", "webhooks_out.", "teams.", "settings.create_key", "settings.confirm_revoke",
              "settings.revoke_key", "settings.profile")
# Conversation content through the API, hidden from members whose transcripts are hidden.
CONTENT_API = ("api.list_interactions", "api.get_interaction", "api.list_analyses", "api.get_analysis")
# POSTs that only read (a preview of unsaved settings).
READ_POSTS = {"agents.preview_widget", "emails.preview_template", "agents.preview_prompt"}
# Each member's own password and sign-ins, whatever the role.
EVERYONE = ("account.",)
# GETs that change something (an OAuth provider's redirect back stores the connection).
GET_WRITES = {"integrations.callback"}


def expected_allowed(role: str, transcripts_hidden: bool, endpoint: str, method: str) -> bool:
    if role in ("owner", "admin") or endpoint.startswith(EVERYONE):
        return True
    if endpoint.startswith(ADMIN_ONLY) or (endpoint.startswith("api.") and "webhook_endpoint" in endpoint):
        return False
    if transcripts_hidden and endpoint.startswith(("conversations.", *CONTENT_API)):
        return False
    if endpoint in GET_WRITES:
        return role == "editor"
    if method in ("GET",) or endpoint in READ_POSTS:
        return True
    if endpoint == "conversations.rerun_analysis":
        return False
    return role == "editor" and endpoint.startswith(EDITOR_WRITES)


ROLES = [("owner", False), ("admin", False), ("editor", False), ("viewer", False), ("viewer", True)]


def member_client(app, member):
    client = app.test_client()
    response = client.post("/auth/login", data={"email": member.email, "password": factories.PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


def _message(body: str) -> str:
    """The error page's headline or the problem's detail, to say what answered."""
    import re

    found = re.search(r"<h1>(.*?)</h1>", body) or re.search(r'"detail": "(.*?)"', body)
    return found.group(1) if found else body[:200]


def guarded_rules(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or getattr(app.view_functions[rule.endpoint], "is_public", False):
            continue
        yield rule


def test_every_route_is_public_or_classified(app):
    from dashboard.auth.permissions import rule_for

    unclassified = sorted(rule.endpoint for rule in guarded_rules(app)
                          for method in rule.methods - {"HEAD", "OPTIONS"}
                          if rule_for(rule.endpoint, rule.endpoint.partition(".")[0], method) is None)
    assert not unclassified, f"classify these in dashboard/auth/permissions.py: {unclassified}"


@pytest.mark.parametrize("role,hidden", ROLES, ids=[f"{r}{'-hidden' if h else ''}" for r, h in ROLES])
def test_every_route_allows_or_refuses_each_role(app, db, customer, role, hidden):
    member = factories.make_member(customer, role=role, transcripts_hidden=hidden) if role != "owner" else None
    if member is None:
        from dashboard.auth.operations import owner_member

        member = owner_member(customer)
    db.session.commit()
    client = member_client(app, member)
    _, secret = create_api_key(customer, "walk", member)
    api = {"Authorization": f"Bearer {secret}"}
    refused, wrong = 0, []
    for rule in sorted(guarded_rules(app), key=lambda r: r.rule):
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            # Fresh objects of this customer's own for each request: an allowed delete removes its own.
            values = {arg: (OWNED[arg](customer) if arg in OWNED else shared_value(app, arg)) for arg in rule.arguments}
            db.session.commit()
            url = app.url_map.bind("localhost").build(rule.endpoint, values)
            response = client.open(url, method=method, headers=api if url.startswith("/api/") else {})
            body = response.get_data(as_text=True)
            response.close()  # streamed exports end their context here
            allowed = expected_allowed(role, hidden, rule.endpoint, method)
            # A role's refusal says so (a plan's or a feature's 403 does not).
            got_refused = response.status_code == 403 and any(
                reason in _message(body) for reason in ("Your role", "hidden for you", "not open to any role"))
            if response.status_code in (401,) or (response.status_code == 302
                                                  and "/auth/login" in response.headers.get("Location", "")):
                wrong.append(f"{method} {rule.rule}: signed out ({response.status_code})")
            elif response.status_code >= 500 or allowed == got_refused:
                wrong.append(f"{method} {rule.rule}: {response.status_code}, expected "
                             f"{'allowed' if allowed else 'refused'}: {_message(body)}")
            refused += got_refused
    assert not wrong, "\n".join(wrong)
    assert (refused > 0) == (role not in ("owner", "admin"))


@pytest.mark.parametrize("role", ["admin", "editor", "viewer"])
def test_other_customers_ids_are_404_whatever_the_role(app, db, customer, other_customer, role):
    member = factories.make_member(customer, role=role)
    db.session.commit()
    client = member_client(app, member)
    _, secret = create_api_key(customer, "walk", member)
    api = {"Authorization": f"Bearer {secret}"}
    for rule, args in id_routes(app):
        values = {arg: OWNED[arg](other_customer) for arg in args}
        values.update({arg: shared_value(app, arg) for arg in set(rule.arguments) - set(args)})
        db.session.commit()
        url = app.url_map.bind("localhost").build(rule.endpoint, values)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method, headers=api if url.startswith("/api/") else {})
            assert response.status_code == 404, f"{role}: {method} {rule.rule} gave {response.status_code}"
