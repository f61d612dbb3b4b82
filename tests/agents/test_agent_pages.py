"""The agents list, creating an agent, its builder page and deleting it."""
from sqlalchemy import event, select

from dashboard.extensions import db
from dashboard.models import Agent
from tests import factories


def test_list_shows_cards_with_voice_tool_count_and_conversations_link(signed_in, customer, agent):
    factories.make_tool(agent)
    factories.make_tool(agent, name="book")
    agent.voice = "Mark"
    db.session.commit()
    html = signed_in.get("/agents/").get_data(as_text=True)
    assert "Front Desk" in html and "Mark" in html
    assert '<dd>2</dd>' in html
    assert f"/conversations/?agent={agent.agent_id}" in html


def test_list_query_count_does_not_grow_with_agents(app, signed_in, customer):
    def statements_for_list():
        seen = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert signed_in.get("/agents/").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    for i in range(2):
        factories.make_tool(factories.make_agent(customer, name=f"Agent {i}", prompt_id=factories.make_prompt().prompt_id))
    db.session.commit()
    few = statements_for_list()
    for i in range(8):
        factories.make_tool(factories.make_agent(customer, name=f"More {i}", prompt_id=factories.make_prompt().prompt_id))
    db.session.commit()
    assert statements_for_list() == few


def test_search_filters_the_cards_and_htmx_gets_only_the_fragment(signed_in, customer):
    factories.make_agent(customer, name="Front Desk")
    factories.make_agent(customer, name="Night Line")
    db.session.commit()
    response = signed_in.get("/agents/?q=night", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert "Night Line" in html and "Front Desk" not in html
    assert "<html" not in html


def test_creating_an_agent_opens_its_builder(signed_in, customer):
    response = signed_in.post("/agents/new", data={"name": "Sales Line", "description": "Qualifies leads"})
    assert response.status_code == 302
    agent = db.session.scalars(select(Agent).where(Agent.name == "Sales Line")).one()
    assert agent.customer_id == customer.customer_id
    assert response.headers["Location"].endswith(f"/agents/{agent.agent_id}")
    page = signed_in.get(response.headers["Location"]).get_data(as_text=True)
    for section in ("Prompt", "Voice", "Widget", "Tools", "Knowledge", "Integrations", "Embed"):
        assert f"<h2>{section}</h2>" in page


def test_creating_without_a_name_shows_the_error_next_to_the_field(signed_in):
    response = signed_in.post("/agents/new", data={"name": "  "})
    assert response.status_code == 422
    assert "Give the agent a name." in response.get_data(as_text=True)


def test_creating_needs_an_active_plan(app, login_as):
    customer = factories.make_customer(with_contract=False)
    db.session.commit()
    client = login_as(customer)
    assert "You need an active plan" in client.get("/agents/new").get_data(as_text=True)
    response = client.post("/agents/new", data={"name": "No Plan"})
    assert response.status_code == 403
    assert db.session.scalars(select(Agent)).first() is None


def test_details_save_through_htmx_and_errors_come_back_in_the_fragment(signed_in, agent):
    ok = signed_in.post(f"/agents/{agent.agent_id}/details", data={"name": "Reception", "description": "Desk"},
                        headers={"HX-Request": "true"})
    assert ok.status_code == 200 and "Details saved." in ok.get_data(as_text=True)
    assert db.session.get(Agent, agent.agent_id).name == "Reception"
    bad = signed_in.post(f"/agents/{agent.agent_id}/details", data={"name": ""}, headers={"HX-Request": "true"})
    assert bad.status_code == 422
    html = bad.get_data(as_text=True)
    assert 'id="details"' in html and "Give the agent a name." in html and "<html" not in html


def test_deleting_an_agent_returns_to_the_list(signed_in, agent):
    agent_id = agent.agent_id
    response = signed_in.post(f"/agents/{agent_id}/delete")
    assert response.status_code == 302 and response.headers["Location"].endswith("/agents/")
    assert db.session.get(Agent, agent_id) is None


def test_integrations_section_lists_the_catalog_with_coming_soon(signed_in, agent):
    factories.make_app_catalog_entry(slug="slack", oauth=factories.OAUTH)
    factories.make_app_catalog_entry(slug="shopify", coming_soon=True)
    db.session.commit()
    html = signed_in.get(f"/agents/{agent.agent_id}").get_data(as_text=True)
    assert "Coming soon" in html and "Not configured on this server" in html


def test_the_list_pages_by_keyset(signed_in, customer):
    from dashboard.agents.builder.operations import PAGE_SIZE

    for i in range(PAGE_SIZE + 2):
        factories.make_agent(customer, name=f"Agent {i:02d}")
    db.session.commit()
    first = signed_in.get("/agents/").get_data(as_text=True)
    assert "Agent 25" in first and "Agent 01" not in first and "Older agents" in first
    cursor = first.split("cursor=")[1].split('"')[0]
    second = signed_in.get(f"/agents/?cursor={cursor}").get_data(as_text=True)
    assert "Agent 01" in second and "Agent 00" in second and "Agent 25" not in second and "Older agents" not in second


def test_every_demo_agent_opens_in_the_builder(app, client):
    from dashboard.demo.seed import seed_demo

    seed_demo("demo-password-agents", echo=lambda *_: None)
    client.post("/auth/login", data={"email": "demo@example.com", "password": "demo-password-agents"})
    demo_agents = db.session.scalars(select(Agent).order_by(Agent.agent_id)).all()
    assert demo_agents
    for agent in demo_agents:
        response = client.get(f"/agents/{agent.agent_id}")
        if response.status_code == 404:  # another demo customer's agent
            continue
        html = response.get_data(as_text=True)
        assert response.status_code == 200 and ("lookup_order" in html or "check_availability" in html)
        assert "{business}" not in html.split('id="call-json"')[1].split("</pre>")[0]


def test_builder_page_query_count_does_not_grow_with_tools_and_sources(app, signed_in, agent):
    def statements_for_page():
        seen = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert signed_in.get(f"/agents/{agent.agent_id}").status_code == 200
        finally:
            event.remove(db.engine, "before_cursor_execute", listener)
        return len(seen)

    factories.make_tool(agent, name="one")
    factories.make_knowledge_source(agent)
    db.session.commit()
    few = statements_for_page()
    for i in range(6):
        factories.make_tool(agent, name=f"tool_{i}")
        factories.make_knowledge_source(agent)
    db.session.commit()
    assert statements_for_page() == few
