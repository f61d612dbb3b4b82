"""Every route that takes an id answers 404 for another customer's object, never 403 or 200."""
import pytest

from tests import factories

# URL argument name -> how to make the other customer's object and read its id.
# A new route with an id argument fails test_every_id_argument_is_covered until it is listed here.
OWNED = {
    "agent_id": lambda other: factories.make_agent(other).agent_id,
    "tool_id": lambda other: factories.make_tool(factories.make_agent(other)).custom_tool_id,
    "source_id": lambda other: factories.make_knowledge_source(factories.make_agent(other)).knowledge_source_id,
    "conversation_id": lambda other: factories.make_conversation(other).session_id,
    "visitor_id": lambda other: factories.make_visitor(other).visitor_id,
    "template_id": lambda other: factories.make_email_template(other).email_pk,
    "log_id": lambda other: factories.make_email_log(other).email_log_id,
    "connection_id": lambda other: factories.make_connection(factories.make_agent(other)).third_party_oauth_id,
    "lead_id": lambda other: factories.make_lead(other).lead_id,
    "service_id": lambda other: factories.make_service(other).service_id,
    "match_id": lambda other: factories.make_match(other, factories.make_lead(other),
                                                   factories.make_service(other)).match_id,
    "interaction_id": lambda other: factories.make_interaction(other).interaction_id,
    "analysis_id": lambda other: factories.make_business_analysis(other).analysis_id,
    "assignment_id": lambda other: factories.make_assignment(other).assignment_id,
    "contract_id": lambda other: factories.make_contract(other).contract_id,
    "key_id": lambda other: factories.make_api_key(other)[0].api_key_id,
    "endpoint_id": lambda other: factories.make_webhook_endpoint(other).webhook_endpoint_id,
    "delivery_id": lambda other: factories.make_webhook_delivery(other).webhook_delivery_id,
    "member_id": lambda other: factories.make_member(other).member_id,
    "invitation_id": lambda other: factories.make_invitation(other).invitation_id,
    "login_session_id": lambda other: factories.make_login_session(other).login_session_id,
}
# Arguments that name shared catalog rows, not a customer's: nothing to protect.
SHARED = {"filename", "plan_id", "app_slug", "prompt_id", "voice_id"}
# The widget's signed public agent token: sites publish it, anyone may use it (tests/agents/test_widget_public.py).
SHARED |= {"token"}
# An app's action name (/integrations/tools/<connection_id>/<action_name>): the connection is what is owned.
SHARED |= {"action_name"}
# The widget bundle's content hash (/static/widget/widget.<digest>.js): the same public file for everyone.
SHARED |= {"digest"}


def id_routes(app):
    for rule in app.url_map.iter_rules():
        owned = [arg for arg in rule.arguments if arg not in SHARED]
        if owned:
            yield rule, owned


def test_every_id_argument_is_covered(app):
    missing = {(rule.rule, arg) for rule, args in id_routes(app) for arg in args if arg not in OWNED}
    assert not missing, f"add these URL arguments to OWNED: {sorted(missing)}"


def test_other_customers_ids_are_404_on_every_route(app, db, login_as, customer, other_customer):
    client = login_as(customer)
    headers = api_headers(customer)
    checked = 0
    for rule, args in id_routes(app):
        values = {arg: OWNED[arg](other_customer) for arg in args}
        for arg in set(rule.arguments) - set(args):
            values[arg] = shared_value(app, arg)
        db.session.commit()
        url = app.url_map.bind("localhost").build(rule.endpoint, values)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method, headers=headers if url.startswith("/api/") else {})
            assert response.status_code == 404, f"{method} {rule.rule} gave {response.status_code}"
            checked += 1
    assert checked == sum(len(r.methods - {"HEAD", "OPTIONS"}) for r, _ in id_routes(app))


def api_headers(customer):
    """Bearer credentials for the JSON API."""
    from dashboard.auth.api_keys import create_api_key

    _, secret = create_api_key(customer, "tenancy test")
    return {"Authorization": f"Bearer {secret}"}


def shared_value(app, arg):
    if arg == "plan_id":
        return factories.make_plan().plan_id
    if arg == "prompt_id":
        return factories.make_prompt().prompt_id
    if arg == "app_slug":
        return factories.make_app_catalog_entry().slug
    return "x"


def test_get_owned_or_404_finds_own_rows_and_404s_others(app, customer, other_customer):
    from flask_login import login_user
    from werkzeug.exceptions import NotFound

    from dashboard.models import Agent
    from dashboard.tenancy import get_owned_or_404

    mine, theirs = factories.make_agent(customer), factories.make_agent(other_customer)
    with app.test_request_context():
        login_user(customer)
        assert get_owned_or_404(Agent, mine.agent_id) is mine
        for missing in (theirs.agent_id, 999_999):
            with pytest.raises(NotFound):
                get_owned_or_404(Agent, missing)
