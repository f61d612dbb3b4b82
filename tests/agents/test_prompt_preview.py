"""The Prompt section's effective prompt: placeholders filled with the business's values, unknown ones marked, and a
live preview of the unsaved choice."""
import re
from html import unescape

from dashboard.agents.ultravox_compile import system_prompt
from dashboard.extensions import db
from dashboard.models import Agent
from tests import factories

HX = {"HX-Request": "true"}


def test_the_effective_prompt_fills_in_the_business_name(signed_in, customer, agent):
    agent.prompt = factories.make_prompt(content="You are the assistant of {business}. Your name is {agent}.")
    db.session.commit()
    html = signed_in.get(f"/agents/{agent.agent_id}").get_data(as_text=True)
    effective = unescape(re.sub(r"<[^>]+>", "", html[html.index('id="effective-prompt"'):]))
    assert f"You are the assistant of {customer.name}. Your name is {agent.name}." in effective
    assert "{business}" not in effective and "{agent}" not in effective


def test_unknown_placeholders_are_shown_and_named(signed_in, agent):
    agent.prompt_override = "Hello from {business}; call us on {phone_number}."
    db.session.commit()
    html = signed_in.get(f"/agents/{agent.agent_id}").get_data(as_text=True)
    assert "Not filled in:" in html and '<mark class="placeholder-unknown" title="Not filled in">{phone_number}</mark>' in html


def test_the_preview_follows_the_library_choice_without_saving(signed_in, customer, agent):
    other = factories.make_prompt(name="Night shift", content="You answer at night for {business}.")
    db.session.commit()
    response = signed_in.post(f"/agents/{agent.agent_id}/prompt/preview", headers=HX,
                              data={"prompt_id": other.prompt_id, "prompt_override": "", "temperature": "0.3"})
    assert response.status_code == 200
    html = unescape(response.get_data(as_text=True))
    assert "You answer at night for" in html and customer.name in html and "Night shift" in html
    assert "You are a helpful assistant." not in html
    db.session.expire_all()
    assert db.session.get(Agent, agent.agent_id).prompt_id == agent.prompt_id  # nothing saved


def test_the_preview_follows_the_own_text(signed_in, agent):
    response = signed_in.post(f"/agents/{agent.agent_id}/prompt/preview", headers=HX,
                              data={"prompt_id": agent.prompt_id, "prompt_override": "Only {mystery} here."})
    html = response.get_data(as_text=True)
    assert "Only " in html and "your own" in html and "{mystery}" in html and "Not filled in" in html


def test_the_preview_takes_bad_input_calmly(signed_in, agent):
    response = signed_in.post(f"/agents/{agent.agent_id}/prompt/preview", headers=HX,
                              data={"prompt_id": "not-a-number", "prompt_override": "{" * 500})
    assert response.status_code == 200 and "No prompt yet." not in response.get_data(as_text=True)


def test_the_compiled_prompt_fills_the_agent_name_too(agent):
    agent.prompt_override = "{agent} of {business} speaking; {unknown} stays."
    assert system_prompt(agent, "Sunrise Dental", extensions=[]) == f"{agent.name} of Sunrise Dental speaking; {{unknown}} stays."
