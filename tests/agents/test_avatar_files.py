"""An avatar's file is deleted when a new one replaces it, when it is removed, and with its agent; never while in use."""
from __future__ import annotations

import io
from pathlib import Path

from flask import current_app

from dashboard.extensions import db
from dashboard.models import Agent
from tests import factories

HX = {"HX-Request": "true"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
WIDGET = {"bot_name": "Ava", "color": "#0f8b8d", "position": "bottom-left", "greeting": "Hello there!",
          "launcher_text": "Talk to Ava", "avatar_url": ""}


def _upload(client, agent, **fields):
    data = {**WIDGET, "avatar": (io.BytesIO(PNG), "me.png"), **fields}
    response = client.post(f"/agents/{agent.agent_id}/widget", data=data, headers=HX, content_type="multipart/form-data")
    assert response.status_code == 200, response.get_data(as_text=True)
    db.session.expire_all()
    return db.session.get(Agent, agent.agent_id).ui_config["avatar_url"]


def _stored_files(customer) -> set[str]:
    folder = Path(current_app.instance_path) / "uploads" / str(customer.customer_id)  # the local store's layout
    return {p.name for p in folder.iterdir()} if folder.exists() else set()


def _name(url: str) -> str:
    return Path(url).name.split("_", 1)[1]


# The instance folder outlives a test and ids may be reused, so each test compares with what was there before.

def test_a_replaced_avatar_file_is_deleted(signed_in, agent, customer):
    before = _stored_files(customer)
    first = _upload(signed_in, agent)
    second = _upload(signed_in, agent)
    assert _stored_files(customer) == before | {_name(second)}
    assert signed_in.get(first).status_code == 404 and signed_in.get(second).status_code == 200


def test_a_removed_avatar_file_is_deleted(signed_in, agent, customer):
    before = _stored_files(customer)
    _upload(signed_in, agent)
    response = signed_in.post(f"/agents/{agent.agent_id}/widget", data=WIDGET, headers=HX)
    assert response.status_code == 200
    assert _stored_files(customer) == before


def test_the_avatar_file_goes_with_its_agent(signed_in, agent, customer):
    before = _stored_files(customer)
    _upload(signed_in, agent)
    assert signed_in.post(f"/agents/{agent.agent_id}/delete").status_code == 302
    assert _stored_files(customer) == before


def test_an_avatar_another_agent_still_shows_is_kept(signed_in, agent, customer):
    url = _upload(signed_in, agent)
    twin = factories.make_agent(customer, ui_config={**WIDGET, "avatar_url": url})
    db.session.commit()
    _upload(signed_in, agent)
    assert _name(url) in _stored_files(customer)
    assert signed_in.get(url).status_code == 200 and twin.agent_id


def test_an_upload_whose_save_is_refused_leaves_no_file(login_as):
    customer = factories.make_customer(with_contract=False)
    plan = factories.make_plan(name="Avatars only", **{**factories.FULL_ACCESS, "customize_bot_name": False})
    factories.make_contract(customer, plan)
    agent = factories.make_agent(customer)
    db.session.commit()
    client, before = login_as(customer), _stored_files(customer)
    data = {**WIDGET, "bot_name": "Not allowed", "avatar": (io.BytesIO(PNG), "me.png")}
    response = client.post(f"/agents/{agent.agent_id}/widget", data=data, headers=HX, content_type="multipart/form-data")
    assert response.status_code == 403  # the name is locked by the plan, so nothing is saved
    assert _stored_files(customer) == before
