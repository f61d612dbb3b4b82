"""The Prompt, Voice and Widget sections: validated, saved independently, gated by the plan."""
import io
import json
from html import unescape as html_unescape

from dashboard.agents.voice.catalog import provider_label
from dashboard.extensions import db
from dashboard.models import Agent
from tests import factories

HX = {"HX-Request": "true"}


def fresh(agent):
    db.session.expire_all()
    return db.session.get(Agent, agent.agent_id)


def plan_customer(login_as, **access):
    customer = factories.make_customer(with_contract=False)
    factories.make_contract(customer, factories.make_plan(name="Starter", **access))
    factories.make_plan(name="Growth", **factories.FULL_ACCESS)
    agent = factories.make_agent(customer)
    db.session.commit()
    return login_as(customer), agent


def test_prompt_library_is_grouped_and_the_effective_prompt_shows_its_length(signed_in, agent):
    html = signed_in.get(f"/agents/{agent.agent_id}").get_data(as_text=True)
    assert '<optgroup label="' in html
    assert "You are a helpful assistant." in html
    assert f"({len('You are a helpful assistant.')} characters" in html


def test_prompt_override_and_temperature_save(signed_in, agent):
    response = signed_in.post(f"/agents/{agent.agent_id}/prompt", headers=HX, data={
        "prompt_id": agent.prompt_id, "prompt_override": "You book dental visits.", "temperature": "0.7"})
    assert response.status_code == 200
    assert "Prompt saved." in response.get_data(as_text=True)
    saved = fresh(agent)
    assert saved.effective_prompt == "You book dental visits." and saved.temperature == 0.7


def test_temperature_outside_zero_to_one_is_refused_inline(signed_in, agent):
    response = signed_in.post(f"/agents/{agent.agent_id}/prompt", headers=HX,
                              data={"prompt_id": agent.prompt_id, "temperature": "1.5"})
    assert response.status_code == 422
    assert "Temperature must be between 0 and 1." in response.get_data(as_text=True)
    assert fresh(agent).temperature != 1.5


def test_no_library_prompt_needs_an_own_prompt(signed_in, agent):
    response = signed_in.post(f"/agents/{agent.agent_id}/prompt", headers=HX,
                              data={"prompt_id": "0", "temperature": "0.4"})
    assert response.status_code == 422
    assert "Choose a library prompt or write your own." in response.get_data(as_text=True)


def test_unknown_prompt_id_is_refused(signed_in, agent):
    response = signed_in.post(f"/agents/{agent.agent_id}/prompt", headers=HX,
                              data={"prompt_id": "999999", "temperature": "0.4"})
    assert response.status_code == 422
    assert fresh(agent).prompt_id == agent.prompt_id


def test_built_in_voice_catalog_filters_by_language_and_provider(signed_in, agent):
    html = signed_in.get(f"/agents/{agent.agent_id}/voices?language=es", headers=HX).get_data(as_text=True)
    assert "Alex-Spanish" in html and "Jessica" not in html
    html = signed_in.get(f"/agents/{agent.agent_id}/voices?provider=lmnt", headers=HX).get_data(as_text=True)
    assert "Tanya-English" in html and "Alex-Spanish" not in html


def test_choosing_a_voice_saves_it(signed_in, agent):
    response = signed_in.post(f"/agents/{agent.agent_id}/voice", data={"voice": "Jessica"}, headers=HX)
    assert response.status_code == 200 and "Voice set to Jessica." in response.get_data(as_text=True)
    assert fresh(agent).voice == "Jessica"


def test_a_voice_outside_the_catalog_is_refused(signed_in, agent):
    response = signed_in.post(f"/agents/{agent.agent_id}/voice", data={"voice": "Nobody"}, headers=HX)
    assert response.status_code == 422 and "Choose a voice from the list." in response.get_data(as_text=True)


def test_voice_selection_is_locked_without_the_plan_flag(app, login_as):
    client, agent = plan_customer(login_as, customize_bot_voice=False)
    page = client.get(f"/agents/{agent.agent_id}").get_data(as_text=True)
    assert "Available on Growth" in page
    response = client.post(f"/agents/{agent.agent_id}/voice", data={"voice": "Jessica"}, headers=HX)
    assert response.status_code == 403
    assert "Your plan does not include voice selection" in response.get_data(as_text=True)
    assert fresh(agent).voice is None


WIDGET = {"bot_name": "Ava", "color": "#0f8b8d", "position": "bottom-left", "greeting": "Hello there!",
          "launcher_text": "Talk to Ava", "avatar_url": ""}


def test_widget_saves_every_field(signed_in, agent):
    response = signed_in.post(f"/agents/{agent.agent_id}/widget", data=WIDGET, headers=HX)
    assert response.status_code == 200, response.get_data(as_text=True)
    config = fresh(agent).ui_config
    assert config == {**WIDGET, "avatar_url": None}


def test_widget_preview_renders_the_typed_values_without_saving(signed_in, agent):
    response = signed_in.post(f"/agents/{agent.agent_id}/widget/preview", data={**WIDGET, "color": "#ff0000"},
                              headers=HX)
    html = response.get_data(as_text=True)
    frame_url = html.split('<iframe src="', 1)[1].split('"', 1)[0].replace("&amp;", "&")
    assert "color=%23ff0000" in frame_url and "launcher_text=Talk+to+Ava" in frame_url
    assert fresh(agent).ui_config["color"] == "#4b3fd6"
    # The frame is the real widget script with the typed settings, a preview token, framed by our pages only.
    frame = signed_in.get(frame_url)
    assert frame.status_code == 200 and "frame-ancestors 'self'" in frame.headers["Content-Security-Policy"]
    assert frame.headers["X-Frame-Options"] == "SAMEORIGIN"
    page = frame.get_data(as_text=True)
    assert 'src="/static/js/widget.js"' in page and "data-preview=" in page and "data-open" in page
    config = json.loads(html_unescape(page.split('data-config="', 1)[1].split('"', 1)[0]))
    assert (config["color"], config["launcherText"], config["position"]) == ("#ff0000", "Talk to Ava", "bottom-left")


def test_widget_preview_keeps_stored_values_for_invalid_ones(signed_in, agent):
    html = signed_in.post(f"/agents/{agent.agent_id}/widget/preview", data={**WIDGET, "color": "red"},
                          headers=HX).get_data(as_text=True)
    assert "color=" not in html.split("<iframe", 1)[1].split(">", 1)[0] and "Not shown until fixed: color" in html


def test_widget_bad_colour_is_refused_inline(signed_in, agent):
    response = signed_in.post(f"/agents/{agent.agent_id}/widget", data={**WIDGET, "color": "blue"}, headers=HX)
    assert response.status_code == 422 and "Use a colour like #4b3fd6." in response.get_data(as_text=True)


def test_locked_widget_fields_are_disabled_and_refused(app, login_as):
    client, agent = plan_customer(login_as, customize_bot_color=False, customize_bot_name=False,
                                  customize_bot_avatar=False)
    page = client.get(f"/agents/{agent.agent_id}").get_data(as_text=True)
    assert page.count("Available on Growth") >= 3
    response = client.post(f"/agents/{agent.agent_id}/widget", data={**WIDGET, "bot_name": "Other"}, headers=HX)
    assert response.status_code == 403
    assert "Available on Growth" in response.get_data(as_text=True)
    assert fresh(agent).ui_config["bot_name"] == "Front Desk"


def test_locked_fields_left_out_keep_their_value_while_others_save(app, login_as):
    client, agent = plan_customer(login_as, customize_bot_color=False, customize_bot_name=False,
                                  customize_bot_avatar=False)
    data = {"position": "bottom-left", "greeting": "Hey", "launcher_text": "Chat"}
    assert client.post(f"/agents/{agent.agent_id}/widget", data=data, headers=HX).status_code == 200
    config = fresh(agent).ui_config
    assert config["greeting"] == "Hey" and config["color"] == "#4b3fd6" and config["bot_name"] == "Front Desk"


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_avatar_upload_is_stored_under_a_generated_name_and_served(signed_in, agent, app):
    data = {**WIDGET, "avatar": (io.BytesIO(PNG), "../../me.png")}
    response = signed_in.post(f"/agents/{agent.agent_id}/widget", data=data, headers=HX,
                              content_type="multipart/form-data")
    assert response.status_code == 200, response.get_data(as_text=True)
    url = fresh(agent).ui_config["avatar_url"]
    assert url.startswith("/agents/avatars/") and "me.png" not in url
    assert signed_in.get(url).data == PNG


def test_avatar_with_the_wrong_content_is_refused(signed_in, agent):
    data = {**WIDGET, "avatar": (io.BytesIO(b"<svg onload=alert(1)>"), "evil.png")}
    response = signed_in.post(f"/agents/{agent.agent_id}/widget", data=data, headers=HX,
                              content_type="multipart/form-data")
    assert response.status_code == 422
    assert "not a real .png file" in response.get_data(as_text=True)
    data = {**WIDGET, "avatar": (io.BytesIO(b"x"), "evil.svg")}
    response = signed_in.post(f"/agents/{agent.agent_id}/widget", data=data, headers=HX,
                              content_type="multipart/form-data")
    assert response.status_code == 422 and "Upload a .png" in response.get_data(as_text=True)


def test_an_uploaded_avatar_survives_saving_the_widget_again(signed_in, agent):
    data = {**WIDGET, "avatar": (io.BytesIO(PNG), "me.png")}
    signed_in.post(f"/agents/{agent.agent_id}/widget", data=data, headers=HX, content_type="multipart/form-data")
    url = fresh(agent).ui_config["avatar_url"]
    response = signed_in.post(f"/agents/{agent.agent_id}/widget", data={**WIDGET, "avatar_url": url}, headers=HX)
    assert response.status_code == 200 and fresh(agent).ui_config["avatar_url"] == url


def test_avatar_urls_must_be_https(signed_in, agent):
    for url in ("http://example.com/a.png", "javascript://%0aalert(1)", "/etc/passwd"):
        response = signed_in.post(f"/agents/{agent.agent_id}/widget", data={**WIDGET, "avatar_url": url}, headers=HX)
        assert response.status_code == 422 and "Enter a full https:// URL." in response.get_data(as_text=True)


def test_ui_config_schema_refuses_unknown_keys(app):
    import pytest

    from dashboard.agents.widget.config import InvalidUiConfig, validate_ui_config

    with pytest.raises(InvalidUiConfig) as refused:
        validate_ui_config({"bot_name": "A", "script": "<script>"})
    assert "Unknown widget settings: script." in refused.value.errors["_"]
    with pytest.raises(InvalidUiConfig) as refused:
        validate_ui_config({"color": "red", "position": "top"})
    assert set(refused.value.errors) == {"color", "position"}


def test_channels_are_saved_and_chat_needs_a_plan_with_text_messages(app, login_as):
    client, agent = plan_customer(login_as, max_text_messages=0)
    response = client.post(f"/agents/{agent.agent_id}/widget", data={**WIDGET, "channels": "both"}, headers=HX)
    assert response.status_code == 422
    assert "Your plan includes no text messages" in response.get_data(as_text=True)
    assert fresh(agent).channels == "voice" and fresh(agent).ui_config.get("bot_name") != "Ava"  # nothing saved


def test_an_agent_can_chat_only(signed_in, agent):
    response = signed_in.post(f"/agents/{agent.agent_id}/widget", data={**WIDGET, "channels": "chat"}, headers=HX)
    assert response.status_code == 200 and fresh(agent).channels == "chat"
    assert '<option selected value="chat">' in response.get_data(as_text=True)


def test_voice_providers_show_their_names_not_ids(signed_in, agent):
    """Found: the voice list showed eleven_labs and lmnt; one mapping names them ElevenLabs, LMNT…"""
    html = signed_in.get(f"/agents/{agent.agent_id}/voices", headers=HX).get_data(as_text=True)
    assert '<option value="eleven_labs" >ElevenLabs</option>' in html and ">LMNT</option>" in html
    assert "English (United States) · ElevenLabs" in html and "· eleven_labs" not in html and "· lmnt" not in html
    assert provider_label("some_new_one") == "Some New One"
