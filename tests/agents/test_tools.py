"""Custom tools: names, URLs (SSRF), placeholders and JSON Schemas validated; Test tool sends the real request."""
import json
import socket

import pytest

from dashboard.extensions import db
from dashboard.models import CustomTool
from tests import factories

HX = {"HX-Request": "true"}


def tool_data(**overrides):
    data = {
        "name": "lookup_order", "description": "Finds an order.", "http_method": "GET",
        "url": "https://93.184.215.14/orders/{order_id}",
        "dynamic_params-0-name": "order_id", "dynamic_params-0-location": "path",
        "dynamic_params-0-schema": '{"type": "string", "pattern": "^[0-9]+$"}', "dynamic_params-0-required": "y",
        "static_params-0-name": "X-Shop", "static_params-0-location": "header", "static_params-0-value": "main",
        "action": "save",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def post_tool(client, agent, **overrides):
    return client.post(f"/agents/{agent.agent_id}/tools/new", data=tool_data(**overrides), headers=HX)


def tools_of(agent):
    db.session.expire_all()
    return db.session.scalars(db.select(CustomTool).where(CustomTool.agent_id == agent.agent_id)).all()


def test_a_tool_with_rows_is_saved(signed_in, agent):
    response = post_tool(signed_in, agent)
    assert response.status_code == 200 and "HX-Redirect" in response.headers
    (tool,) = tools_of(agent)
    assert tool.static_params == [{"name": "X-Shop", "location": "header", "value": "main"}]
    assert tool.dynamic_params == [{"name": "order_id", "location": "path", "required": True,
                                    "schema": {"type": "string", "pattern": "^[0-9]+$"}}]
    page = signed_in.get(response.headers["HX-Redirect"]).get_data(as_text=True)
    assert "Test tool" in page and 'value="lookup_order"' in page


BAD_TOOLS = [
    ({"name": "has spaces"}, "Use 1–64 letters, digits, _ or - (no spaces)."),
    ({"name": "x" * 65}, "Use 1–64 letters"),
    ({"name": ""}, "Give the tool a name."),
    ({"http_method": "TRACE"}, "Choose one of the options offered"),
    ({"url": "http://93.184.215.14/orders/{order_id}"}, "Use an https:// URL."),
    ({"url": "https://127.0.0.1/orders/{order_id}"}, "loopback address"),
    ({"url": "https://169.254.169.254/latest/{order_id}"}, "cloud metadata address"),
    ({"url": "https://10.1.2.3/{order_id}"}, "private network address"),
    ({"url": "https://localhost/{order_id}"}, "localhost resolves to"),
    ({"url": "file:///etc/{order_id}"}, "Use an https:// URL."),
    ({"url": "https://93.184.215.14/orders/{order id}"}, "Add a path parameter for each placeholder: {order id}."),
    ({"url": "https://93.184.215.14/orders"}, "Put a placeholder in the URL for each path parameter: {order_id}."),
    ({"dynamic_params-0-schema": "{not json"}, "This is not valid JSON"),
    ({"dynamic_params-0-schema": '{"type": "strong"}'}, "This is not a valid JSON Schema"),
    ({"dynamic_params-0-schema": '["string"]'}, "A JSON Schema is an object"),
    ({"static_params-0-name": "", "static_params-0-value": "orphan"}, "Name this parameter, or clear its value."),
    ({"static_params-0-name": "order_id", "static_params-0-location": "path"}, "Another parameter has this name"),
]


def test_bad_tools_are_refused_with_a_clear_message(signed_in, agent):
    for overrides, message in BAD_TOOLS:
        response = post_tool(signed_in, agent, **overrides)
        assert response.status_code == 422, overrides
        html = response.get_data(as_text=True)
        assert message in html.replace("&#39;", "'").replace("&#34;", '"'), overrides
        assert 'id="tool-form"' in html and "<html" not in html
    assert tools_of(agent) == []


def test_tool_names_are_unique_per_agent(signed_in, agent, customer):
    factories.make_tool(agent, name="lookup_order")
    other_agent = factories.make_agent(customer, name="Other")
    db.session.commit()
    response = post_tool(signed_in, agent)
    assert response.status_code == 422
    assert "already has a tool with that name" in response.get_data(as_text=True)
    assert post_tool(signed_in, other_agent).status_code == 200


def test_add_row_and_remove_row_rerender_without_saving(signed_in, agent):
    html = post_tool(signed_in, agent, action="add_dynamic").get_data(as_text=True)
    assert 'name="dynamic_params-1-name"' in html
    html = post_tool(signed_in, agent, action="remove_static-0").get_data(as_text=True)
    assert 'name="static_params-0-name"' not in html
    assert tools_of(agent) == []


def test_editing_keeps_its_own_name(signed_in, agent):
    tool = factories.make_tool(agent, name="lookup_order")
    db.session.commit()
    response = signed_in.post(f"/agents/{agent.agent_id}/tools/{tool.custom_tool_id}",
                              data=tool_data(description="Finds an order by number."), headers=HX)
    assert response.status_code == 200
    assert tools_of(agent)[0].description == "Finds an order by number."


def test_deleting_a_tool(signed_in, agent):
    tool = factories.make_tool(agent)
    db.session.commit()
    assert signed_in.post(f"/agents/{agent.agent_id}/tools/{tool.custom_tool_id}/delete").status_code == 302
    assert tools_of(agent) == []


@pytest.fixture
def allowed(make_app, login_as, local_server):
    """An app that allows the local test server, a signed-in customer and their agent."""
    app = make_app(SAFE_HTTP_ALLOWED_HOSTS=["127.0.0.1"])
    with app.app_context():
        customer = factories.make_customer()
        agent = factories.make_agent(customer)
        db.session.commit()
        client = app.test_client()
        client.post("/auth/login", data={"email": customer.email, "password": factories.PASSWORD})
        yield client, agent


def test_test_tool_sends_the_real_request_and_shows_the_answer(allowed, local_server):
    client, agent = allowed
    url = f"{local_server.base_url}/orders/{{order_id}}"
    response = client.post(f"/agents/{agent.agent_id}/tools/new", headers=HX, data=tool_data(
        url=url, http_method="POST", **{
            "dynamic_params-1-name": "note", "dynamic_params-1-location": "body",
            "dynamic_params-1-schema": '{"type": "integer", "minimum": 1}',
            "static_params-1-name": "clinic", "static_params-1-location": "query", "static_params-1-value": "main"}))
    assert response.status_code == 200, response.get_data(as_text=True)
    tool = tools_of(agent)[0]
    result = client.post(f"/agents/{agent.agent_id}/tools/{tool.custom_tool_id}/test", headers=HX,
                         data={"param_0": "1234", "param_1": "3"})
    html = result.get_data(as_text=True)
    assert result.status_code == 200, html
    assert "200 OK" in html and "X-Test-Server" in html and "09:00" in html and " ms" in html
    sent = local_server.requests[-1]
    assert sent["method"] == "POST" and sent["path"] == "/orders/1234?clinic=main"
    assert sent["headers"]["X-Shop"] == "main" and json.loads(sent["body"]) == {"note": 3}


def test_test_values_are_checked_against_the_schema(allowed, local_server):
    client, agent = allowed
    tool = factories.make_tool(agent, url=f"{local_server.base_url}/orders/{{order_id}}", dynamic_params=[
        {"name": "order_id", "location": "path", "schema": {"type": "string", "pattern": "^[0-9]+$"},
         "required": True}])
    db.session.commit()
    response = client.post(f"/agents/{agent.agent_id}/tools/{tool.custom_tool_id}/test", headers=HX,
                           data={"param_0": "abc"})
    assert response.status_code == 422 and "Does not match the schema" in response.get_data(as_text=True)
    response = client.post(f"/agents/{agent.agent_id}/tools/{tool.custom_tool_id}/test", headers=HX, data={})
    assert response.status_code == 422 and "This parameter is required." in response.get_data(as_text=True)
    assert local_server.requests == []


def test_test_tool_refuses_redirects(allowed, local_server):
    client, agent = allowed
    tool = factories.make_tool(agent, url=f"{local_server.base_url}/redirect", dynamic_params=[])
    db.session.commit()
    html = client.post(f"/agents/{agent.agent_id}/tools/{tool.custom_tool_id}/test", headers=HX).get_data(as_text=True)
    assert "Refused by the safety check." in html and "redirects are not followed" in html


def test_test_tool_refuses_internal_addresses_without_the_setting(signed_in, agent, local_server):
    # Stored before the rules (or by another path): the test still refuses it when sending.
    tool = factories.make_tool(agent, url=f"{local_server.base_url}/slots", dynamic_params=[])
    db.session.commit()
    html = signed_in.post(f"/agents/{agent.agent_id}/tools/{tool.custom_tool_id}/test",
                          headers=HX).get_data(as_text=True)
    assert "Refused by the safety check." in html and "loopback address" in html
    assert local_server.requests == []


def test_the_raw_json_view_saves_a_tool_validated_like_the_rows(signed_in, agent):
    raw = json.dumps({"name": "lookup_order", "description": "Finds an order.", "http_method": "GET",
                      "url": "https://93.184.215.14/orders/{order_id}", "static_params": [],
                      "dynamic_params": [{"name": "order_id", "location": "path", "schema": {"type": "integer"}}]})
    response = signed_in.post(f"/agents/{agent.agent_id}/tools/new", headers=HX,
                              data={"action": "save_json", "raw_json": raw})
    assert response.status_code == 200, response.get_data(as_text=True)
    (tool,) = tools_of(agent)
    assert tool.dynamic_params == [{"name": "order_id", "location": "path", "schema": {"type": "integer"},
                                    "required": True}]


def test_the_raw_json_view_refuses_what_the_rows_refuse(signed_in, agent):
    cases = (("{oops", "This is not valid JSON"),
             ("[1]", "must be a JSON object"),
             (json.dumps({"name": "bad name", "url": "https://127.0.0.1/", "description": "x"}), "Use 1–64 letters"),
             (json.dumps({"name": "ok", "url": "https://169.254.169.254/", "description": "x"}), "cloud metadata"),
             (json.dumps({"name": "ok", "url": "https://93.184.215.14/", "description": "x",
                          "dynamic_params": [{"name": "q", "location": "query", "schema": {"type": 5}}]}),
              "not a valid JSON Schema"))
    for raw, message in cases:
        response = signed_in.post(f"/agents/{agent.agent_id}/tools/new", headers=HX,
                                  data={"action": "save_json", "raw_json": raw})
        assert response.status_code == 422 and message in response.get_data(as_text=True), raw
    assert tools_of(agent) == []


def test_builder_posts_need_the_csrf_token(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():  # only to arrange: requests below get contexts (and CSRF tokens) of their own
        customer = factories.make_customer()
        agent_id = factories.make_agent(customer).agent_id
        email = customer.email
        db.session.commit()
    client = app.test_client()
    token = client.get("/auth/login").get_data(as_text=True).split('name="csrf_token" type="hidden" value="')[1]
    client.post("/auth/login", data={"email": email, "password": factories.PASSWORD, "csrf_token": token[:token.index('"')]})
    page = client.get(f"/agents/{agent_id}/tools/new").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    raw = json.dumps({"name": "ok", "description": "x", "http_method": "GET", "url": "https://93.184.215.14/"})
    assert client.post(f"/agents/{agent_id}/tools/new", data={"action": "save_json", "raw_json": raw}).status_code == 400
    assert client.post(f"/agents/{agent_id}/widget/preview", data={}).status_code == 400
    response = client.post(f"/agents/{agent_id}/tools/new", headers={"X-CSRFToken": token, **HX},
                           data={"action": "save_json", "raw_json": raw})
    assert response.status_code == 200, response.get_data(as_text=True)
    with app.app_context():
        assert [t.name for t in db.session.scalars(db.select(CustomTool))] == ["ok"]


def test_header_parameters_and_host_placeholders_are_checked(signed_in, agent):
    cases = (({"static_params-0-name": "Bad Header:"}, "Use a valid header name"),
             ({"static_params-0-value": "a\r\nX-Injected: 1"}, "may not contain line breaks"),
             ({"url": "https://{order_id}.example.com/x"}, "only be used in the path"))
    for overrides, message in cases:
        response = post_tool(signed_in, agent, **overrides)
        assert response.status_code == 422 and message in response.get_data(as_text=True), overrides
    assert tools_of(agent) == []


def test_saving_adds_a_path_parameter_for_each_placeholder_and_says_so(signed_in, agent):
    """Found: https://…/{id} was refused with "Add a path parameter for each placeholder"; the form adds it."""
    response = post_tool(signed_in, agent, url="https://93.184.215.14/orders/{order_id}/lines/{line}")
    assert response.status_code == 200 and "HX-Redirect" in response.headers, response.get_data(as_text=True)
    (tool,) = tools_of(agent)
    assert tool.dynamic_params[1] == {"name": "line", "location": "path", "schema": {"type": "string"}, "required": True}
    page = signed_in.get(response.headers["HX-Redirect"]).get_data(as_text=True)
    assert "Added the path parameter line (required text) for {line} in the URL" in page


def test_leaving_the_url_field_offers_the_missing_rows_and_a_click_adds_them(signed_in, agent):
    data = tool_data(url="https://93.184.215.14/customers/{customer}/orders/{order_id}", action="check_path_params",
                     **{"dynamic_params-0-name": "", "dynamic_params-0-location": "query"})
    offer = signed_in.post(f"/agents/{agent.agent_id}/tools/new", data=data, headers=HX).get_data(as_text=True)
    assert "The URL has" in offer and "{customer}" in offer and "{order_id}" in offer and 'value="fill_path_params"' in offer
    assert 'id="tool-form"' not in offer  # only the hint: nothing typed meanwhile is replaced
    response = signed_in.post(f"/agents/{agent.agent_id}/tools/new", data={**data, "action": "fill_path_params"},
                              headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and 'id="tool-form"' in html
    assert 'name="dynamic_params-0-name" placeholder="order_id" type="text" value="customer"' in html
    assert 'name="dynamic_params-1-name" placeholder="order_id" type="text" value="order_id"' in html
    assert "as path parameters (required text)" in html
    assert tools_of(agent) == []
    # Nothing missing: no hint.
    unchanged = signed_in.post(f"/agents/{agent.agent_id}/tools/new", data=tool_data(action="check_path_params"),
                               headers=HX).get_data(as_text=True)
    assert "The URL has" not in unchanged


@pytest.mark.parametrize(("url", "title", "detail"), [
    ("https://name-that-does-not-resolve.invalid/x", "Host name not found.", "could not be resolved"),
    ("http://127.0.0.1:{closed}/x", "Could not connect.", "did not accept a connection"),
])
def test_test_tool_tells_a_failure_from_a_refusal(allowed, url, title, detail):
    """Found: a name that does not resolve showed "Refused"; each failure now says what it is and what to do."""
    client, agent = allowed
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    tool = factories.make_tool(agent, url=url.replace("{closed}", str(closed)), dynamic_params=[])
    db.session.commit()
    html = client.post(f"/agents/{agent.agent_id}/tools/{tool.custom_tool_id}/test", headers=HX).get_data(as_text=True)
    assert title in html and detail in html and "Refused" not in html
