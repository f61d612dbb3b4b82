"""Each lower domain's change reaches a subscribed endpoint as its event, with the object in data.object."""
from __future__ import annotations

from tests import factories
from tests.emails.test_follow_up_flow import chat_for
from tests.webhooks_out.test_delivery import add_endpoint


def test_a_posted_chat_announces_started_ended_analyzed_and_its_follow_up_email_sent(signed_in, client, customer,
                                                                                     receiver):
    add_endpoint(signed_in, receiver.url, ["conversation.started", "conversation.ended", "conversation.analyzed",
                                           "email.sent"])
    agent = factories.make_agent(customer)
    factories.make_email_template(customer, agent, email_subject="Thanks", email_body="Hi {{visitor_name}}")
    _, secret = factories.make_api_key(customer)
    answer = client.post("/api/v1/conversations", json=chat_for(agent), headers={"Authorization": f"Bearer {secret}"})
    assert answer.status_code == 201
    events = {hit["body"]["type"]: hit["body"]["data"]["object"] for hit in receiver.received}
    assert set(events) == {"conversation.started", "conversation.ended", "conversation.analyzed", "email.sent"}
    assert events["email.sent"]["conversation_id"] == answer.json["conversation_id"] == events["conversation.ended"]["id"]


def test_a_lead_created_then_changed_over_the_api_is_announced_as_created_then_updated(signed_in, client, customer,
                                                                                      receiver):
    add_endpoint(signed_in, receiver.url, ["lead.created", "lead.updated"])
    headers = {"Authorization": f"Bearer {factories.make_api_key(customer)[1]}"}
    created = client.post("/api/v1/customers", json={"contact": {"first_name": "Ava", "email": "ava@example.net"}},
                          headers=headers)
    assert created.status_code == 201, created.get_data(as_text=True)
    assert client.put(f"/api/v1/customers/{created.json['id']}", json={"score": 80}, headers=headers).status_code == 200
    assert [hit["body"]["type"] for hit in receiver.received] == ["lead.created", "lead.updated"]
    assert receiver.received[0]["body"]["data"]["object"]["id"] == created.json["id"]


def test_an_endpoint_hears_only_the_events_it_chose(signed_in, client, customer, receiver):
    add_endpoint(signed_in, receiver.url, ["lead.updated"])
    headers = {"Authorization": f"Bearer {factories.make_api_key(customer)[1]}"}
    client.post("/api/v1/customers", json={"contact": {"first_name": "Ava"}}, headers=headers)
    assert receiver.received == []


def test_an_interaction_recorded_over_the_api_is_announced_as_the_api_answers_it(signed_in, client, customer,
                                                                                 receiver):
    add_endpoint(signed_in, receiver.url, ["interaction.created"])
    headers = {"Authorization": f"Bearer {factories.make_api_key(customer)[1]}"}
    lead = client.post("/api/v1/customers", json={"contact": {"email": "ava@example.net"}}, headers=headers).json
    made = client.post(f"/api/v1/customers/{lead['id']}/interactions", headers=headers,
                       json={"type": "email", "channel": "email", "content": "Asked for a quote"})
    assert made.status_code == 201, made.get_data(as_text=True)
    assert [hit["body"]["type"] for hit in receiver.received] == ["interaction.created"]
    assert receiver.received[0]["body"]["data"]["object"] == made.json
