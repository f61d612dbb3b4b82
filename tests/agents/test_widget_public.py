"""The widget's public side: signed agent tokens, the config a site reads, the embed snippet and its test page."""
import json
import re
from html import unescape

from itsdangerous import URLSafeSerializer

from dashboard.agents.widget.operations import agent_for_widget_token, widget_token
from dashboard.extensions import db
from tests import factories

CUSTOM = {"bot_name": "Ava", "color": "#ffd400", "position": "bottom-left", "greeting": "Hello from Ava!",
          "launcher_text": "Talk to Ava", "avatar_url": "/agents/avatars/1_0123456789abcdef0123456789abcdef.png"}


def test_a_token_round_trips_to_its_agent_and_stays_the_same(app, agent):
    token = widget_token(agent)
    assert token == widget_token(agent)
    assert str(agent.agent_id) not in token.split(".")[-1]  # the signature is not the id
    assert agent_for_widget_token(token).agent_id == agent.agent_id


def test_tampered_forged_and_stale_tokens_are_a_json_404(app, client, agent):
    token = widget_token(agent)
    payload, signature = token.rsplit(".", 1)
    other = factories.make_agent(factories.make_customer())
    db.session.commit()
    forged_payload = widget_token(other).rsplit(".", 1)[0]
    bad = [
        f"{payload}.{signature[:-2]}xx",  # tampered signature
        f"{forged_payload}.{signature}",  # another agent's id under this agent's signature
        URLSafeSerializer("not-our-secret-key-0123", salt="widget").dumps(agent.agent_id),  # forged key
        URLSafeSerializer(app.config["SECRET_KEY"], salt="other").dumps(agent.agent_id),  # another salt
        URLSafeSerializer(app.config["SECRET_KEY"], salt="widget").dumps(str(agent.agent_id)),  # not an id
        "nonsense",
    ]
    for token_value in bad:
        assert agent_for_widget_token(token_value) is None, token_value
        response = client.get(f"/widget/{token_value}/config")
        assert response.status_code == 404 and response.is_json, token_value
        assert "not found" in response.json["detail"]
        assert response.headers["Access-Control-Allow-Origin"] == "*"
    gone = widget_token(other)
    db.session.delete(other)
    db.session.commit()
    assert client.get(f"/widget/{gone}/config").status_code == 404


def test_a_token_never_resolves_to_another_customers_agent(app, customer, other_customer):
    mine, theirs = factories.make_agent(customer), factories.make_agent(other_customer)
    db.session.commit()
    assert agent_for_widget_token(widget_token(mine)).customer_id == customer.customer_id
    assert agent_for_widget_token(widget_token(theirs)).customer_id == other_customer.customer_id
    # Only the signature binds a token to its agent: swapping parts never lands on the other agent.
    (mine_payload, mine_sig), (theirs_payload, theirs_sig) = (widget_token(a).rsplit(".", 1) for a in (mine, theirs))
    assert agent_for_widget_token(f"{mine_payload}.{theirs_sig}") is None
    assert agent_for_widget_token(f"{theirs_payload}.{mine_sig}") is None


def test_the_config_has_what_the_widget_draws_and_nothing_internal(app, client, customer):
    prompt = factories.make_prompt(content="Secret sauce: never reveal the discount code SPRING.")
    agent = factories.make_agent(customer, name="Front Desk", ui_config=CUSTOM, prompt_id=prompt.prompt_id,
                                 corpus_id="corpus-internal-123")
    factories.make_tool(agent, url="https://internal.example.com/hook")
    db.session.commit()
    response = client.get(f"/widget/{widget_token(agent)}/config", base_url="https://dash.example.com")
    assert response.status_code == 200 and response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.json == {
        "botName": "Ava", "color": "#ffd400", "textColor": "#111111", "position": "bottom-left",
        "greeting": "Hello from Ava!", "launcherText": "Talk to Ava", "voiceCalls": False, "chat": False, "voice": True,
        "avatarUrl": "https://dash.example.com/agents/avatars/1_0123456789abcdef0123456789abcdef.png",
    }
    body = response.get_data(as_text=True)
    for internal in ("SPRING", "corpus-internal", "internal.example.com", app.config["SECRET_KEY"],
                     f'"{agent.agent_id}"', f": {agent.agent_id},", str(customer.email)):
        assert internal not in body
    assert "Set-Cookie" not in response.headers


def test_the_config_drops_what_the_plan_no_longer_unlocks(app, client):
    customer = factories.make_customer(with_contract=False)
    factories.make_contract(customer, factories.make_plan(customize_bot_color=False, customize_bot_name=False,
                                                          customize_bot_avatar=False))
    agent = factories.make_agent(customer, name="Front Desk", ui_config=CUSTOM)  # saved on a bigger plan
    db.session.commit()
    config = client.get(f"/widget/{widget_token(agent)}/config").json
    assert (config["botName"], config["color"], config["avatarUrl"]) == ("Front Desk", "#4b3fd6", None)
    assert (config["greeting"], config["launcherText"], config["position"]) == (
        "Hello from Ava!", "Talk to Ava", "bottom-left")  # on every plan


def test_a_customer_without_a_plan_gets_the_plain_widget(app, client):
    agent = factories.make_agent(factories.make_customer(with_contract=False), name="Desk", ui_config=CUSTOM)
    db.session.commit()
    config = client.get(f"/widget/{widget_token(agent)}/config").json
    assert (config["botName"], config["color"], config["avatarUrl"]) == ("Desk", "#4b3fd6", None)


def test_the_call_endpoint_answers_cors_preflights_without_sign_in(app, client, agent):
    response = client.options(f"/widget/{widget_token(agent)}/calls",
                              headers={"Origin": "https://shop.example", "Access-Control-Request-Method": "POST",
                                       "Access-Control-Request-Headers": "content-type"})
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert response.headers["Access-Control-Allow-Headers"] == "Content-Type"


def test_only_the_widget_endpoints_allow_any_origin(app, client, agent, login_as, customer):
    signed_in = login_as(customer)
    assert "Access-Control-Allow-Origin" not in signed_in.get(f"/agents/{agent.agent_id}").headers


def test_the_embed_section_shows_the_snippet_with_the_token_and_a_test_page(app, signed_in, agent):
    html = signed_in.get(f"/agents/{agent.agent_id}").get_data(as_text=True)
    token = widget_token(agent)
    assert (f"&lt;script src=&#34;http://localhost/static/js/widget.js&#34; data-agent=&#34;{token}&#34; "
            "async&gt;&lt;/script&gt;") in html
    assert "data-agent-id" not in html
    assert f'href="/agents/{agent.agent_id}/widget-preview"' in html


def test_the_test_page_carries_only_the_snippet(app, signed_in, agent):
    response = signed_in.get(f"/agents/{agent.agent_id}/widget-preview")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'<script src="http://localhost/static/js/widget.js" data-agent="{widget_token(agent)}" async></script>' in html
    assert "app.css" not in html and "htmx" not in html


def test_the_test_page_needs_sign_in_and_the_widget_endpoints_do_not(app, client, agent):
    assert client.get(f"/agents/{agent.agent_id}/widget-preview").status_code == 302
    assert client.get(f"/widget/{widget_token(agent)}/config").status_code == 200


def test_the_widget_script_and_the_voice_client_bundle_are_served(app, client):
    loader = client.get("/static/js/widget.js").get_data(as_text=True)
    script = client.get(re.search(r'"(/static/widget/widget\.[0-9a-f]{12}\.js)"', loader).group(1))
    assert script.status_code == 200 and "attachShadow" in script.get_data(as_text=True)
    assert "ultravox-client-0.5.0.min.js" in script.get_data(as_text=True)
    bundle = client.get("/static/vendor/ultravox-client-0.5.0.min.js")
    assert bundle.status_code == 200 and b"window.UltravoxClient" in bundle.data
    script.close()
    bundle.close()


def test_a_config_is_json_even_for_a_token_that_is_not_base64(app, client):
    response = client.get("/widget/%E2%9C%93.%00/config")
    assert response.status_code == 404 and json.loads(response.get_data(as_text=True))["status"] == 404


def test_builder_preview_shows_what_visitors_see_after_a_downgrade(login_as):
    customer = factories.make_customer(with_contract=False)
    factories.make_contract(customer, factories.make_plan(customize_bot_color=False))
    agent = factories.make_agent(customer, ui_config={"bot_name": "Ava", "color": "#c2410c", "position": "bottom-right"})
    client = login_as(customer)
    html = client.get(f"/agents/{agent.agent_id}").get_data(as_text=True)
    frame_url = html.split('<iframe src="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    frame = client.get(frame_url).get_data(as_text=True)
    config = json.loads(unescape(frame.split('data-config="', 1)[1].split('"', 1)[0]))
    assert config["color"] == "#4b3fd6"  # the default colour, as the live widget shows
    # Typing a colour the plan does not unlock does not show it either.
    frame = client.get(frame_url + "&color=%23c2410c").get_data(as_text=True)
    assert json.loads(unescape(frame.split('data-config="', 1)[1].split('"', 1)[0]))["color"] == "#4b3fd6"
