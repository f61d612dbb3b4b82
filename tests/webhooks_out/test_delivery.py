"""Events reach a business's endpoint signed, are retried until they arrive, and never reach private addresses."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from dashboard.database import utcnow
from dashboard.extensions import db
from dashboard.jobs import Job, run_job
from dashboard.webhooks_out.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from tests import factories


def add_endpoint(client, url, events=("conversation.ended", "conversation.analyzed")) -> tuple[int, str]:
    page = client.post("/settings/webhooks/", data={"url": url, "events": list(events)})
    assert page.status_code == 200, page.get_data(as_text=True)
    html = page.get_data(as_text=True)
    secret = html.split('id="new-webhook-secret"')[1].split('value="')[1].split('"')[0]
    endpoint_id = db.session.scalars(select(WebhookEndpoint.webhook_endpoint_id)).all()[-1]
    return endpoint_id, secret


def end_a_chat(customer, agent) -> None:
    _, api_secret = factories.make_api_key(customer)
    now = utcnow()
    messages = [{"role": role, "content": text, "timestamp": (now + timedelta(seconds=i)).isoformat()}
                for i, (role, text) in enumerate([("visitor", "Hi, can I book a table?"), ("agent", "Yes, when?")])]
    from flask import current_app

    answer = current_app.test_client().post("/api/v1/conversations", json={"agent_id": agent.agent_id,
                                            "messages": messages}, headers={"Authorization": f"Bearer {api_secret}"})
    assert answer.status_code == 201, answer.get_data(as_text=True)


def run_due_jobs() -> None:
    """What the worker's sweep does once their time has come: run every queued job, moved forward to now."""
    db.session.execute(update(Job).where(Job.state == "queued").values(run_after=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    for job_id in db.session.scalars(select(Job.job_id).where(Job.state == "queued")).all():
        run_job(job_id)


def test_a_chat_that_ends_reaches_the_endpoint_as_signed_ended_and_analyzed_events(signed_in, customer, agent,
                                                                                   receiver):
    _, secret = add_endpoint(signed_in, receiver.url)
    receiver.secrets = [secret]
    end_a_chat(customer, agent)
    types = [hit["body"]["type"] for hit in receiver.received]
    assert sorted(types) == ["conversation.analyzed", "conversation.ended"]
    assert all(hit["verified_by"] == [secret] for hit in receiver.received)
    analyzed = next(hit["body"] for hit in receiver.received if hit["body"]["type"] == "conversation.analyzed")
    assert analyzed["id"].startswith("evt_") and analyzed["api_version"] and analyzed["created"]
    assert "call_summary" in analyzed["data"]["object"]["analysis"]
    assert secret not in str(receiver.received[0]["body"])


def test_a_failing_endpoint_is_retried_later_and_then_logged_once_as_delivered(signed_in, customer, agent,
                                                                               receiver):
    endpoint_id, secret = add_endpoint(signed_in, receiver.url, ["conversation.ended"])
    receiver.secrets, receiver.answers = [secret], [503, 500]
    end_a_chat(customer, agent)
    delivery = db.session.scalars(select(WebhookDelivery)).one()
    assert delivery.status == "retrying" and delivery.response_status == 503 and len(delivery.response_excerpt) == 1024
    run_due_jobs()
    run_due_jobs()
    db.session.expire_all()
    deliveries = db.session.scalars(select(WebhookDelivery)).all()
    assert [(d.status, d.attempts, d.response_status) for d in deliveries] == [("succeeded", 3, 200)]
    attempts = db.session.scalars(select(WebhookAttempt).order_by(WebhookAttempt.webhook_attempt_id)).all()
    assert [(a.response_status, a.succeeded) for a in attempts] == [(503, False), (500, False), (200, True)]
    assert len(attempts[0].response_excerpt) == 1024 and attempts[2].response_excerpt == '{"ok":true}'
    assert all(a.latency_ms is not None and a.error is None for a in attempts)
    assert attempts[0].attempted_at < attempts[1].attempted_at < attempts[2].attempted_at
    assert len({hit["body"]["id"] for hit in receiver.received}) == 1 and len(receiver.received) == 3
    assert db.session.get(WebhookEndpoint, endpoint_id).failing_since is None


def test_an_endpoint_failing_for_three_days_is_disabled_and_the_business_told(signed_in, customer, agent,
                                                                               receiver, tmp_path):
    endpoint_id, _ = add_endpoint(signed_in, receiver.url, ["conversation.ended"])
    receiver.answers = [500] * 5
    end_a_chat(customer, agent)
    db.session.execute(update(WebhookEndpoint).values(failing_since=utcnow() - timedelta(days=3, minutes=1)))
    db.session.commit()
    run_due_jobs()
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    db.session.refresh(endpoint)
    assert not endpoint.enabled and "failed for 72 hours" in endpoint.disabled_reason
    assert db.session.scalars(select(WebhookDelivery.status)).all() == ["failed"]
    page = signed_in.get(f"/settings/webhooks/{endpoint_id}").get_data(as_text=True)
    assert "failed for 72 hours" in page
    assert db.session.scalar(select(Job.state).where(Job.kind.like("%send_disabled_notice"))) == "done"


def test_a_receiver_that_does_not_answer_within_ten_seconds_is_a_failed_attempt(signed_in, customer, agent,
                                                                                receiver):
    add_endpoint(signed_in, receiver.url, ["conversation.ended"])
    receiver.answers = ["hang"]
    end_a_chat(customer, agent)
    delivery = db.session.scalars(select(WebhookDelivery)).one()
    assert delivery.status == "retrying" and delivery.response_status is None
    assert "did not answer" in delivery.response_excerpt
    attempt = db.session.scalars(select(WebhookAttempt)).one()
    assert attempt.response_status is None and "did not answer" in attempt.error
    assert 10_000 <= attempt.latency_ms < 11_000  # the 10 s read timeout, not the receiver's 11 s


def test_a_rotated_secret_signs_with_the_new_and_the_old_secret_for_a_day(signed_in, receiver):
    endpoint_id, old = add_endpoint(signed_in, receiver.url)
    html = signed_in.post(f"/settings/webhooks/{endpoint_id}/rotate").get_data(as_text=True)
    new = html.split('id="new-webhook-secret"')[1].split('value="')[1].split('"')[0]
    receiver.secrets = [new, old]
    signed_in.post(f"/settings/webhooks/{endpoint_id}/ping")
    assert receiver.received[-1]["body"]["type"] == "ping"
    assert receiver.received[-1]["verified_by"] == [new, old]
    db.session.execute(update(WebhookEndpoint).values(previous_secret_expires_at=utcnow() - timedelta(seconds=1)))
    db.session.commit()
    signed_in.post(f"/settings/webhooks/{endpoint_id}/ping")
    assert receiver.received[-1]["verified_by"] == [new]


def test_resend_delivers_the_same_event_id_again_as_another_attempt_of_the_event(signed_in, receiver):
    endpoint_id, _ = add_endpoint(signed_in, receiver.url)
    signed_in.post(f"/settings/webhooks/{endpoint_id}/ping")
    delivery_id = db.session.scalars(select(WebhookDelivery.webhook_delivery_id)).one()
    signed_in.post(f"/settings/webhooks/{endpoint_id}/deliveries/{delivery_id}/resend")
    assert len(receiver.received) == 2 and receiver.received[0]["body"]["id"] == receiver.received[1]["body"]["id"]
    delivery = db.session.scalars(select(WebhookDelivery)).one()
    assert (delivery.status, delivery.attempts) == ("succeeded", 2)
    assert db.session.scalars(select(WebhookAttempt.succeeded)).all() == [True, True]


def test_an_event_still_being_retried_is_not_resent_beside_its_retry(signed_in, customer, agent, receiver):
    endpoint_id, _ = add_endpoint(signed_in, receiver.url, ["conversation.ended"])
    receiver.answers = [503]
    end_a_chat(customer, agent)
    delivery_id = db.session.scalars(select(WebhookDelivery.webhook_delivery_id)).one()
    page = signed_in.post(f"/settings/webhooks/{endpoint_id}/deliveries/{delivery_id}/resend", follow_redirects=True)
    assert "still being delivered" in page.get_data(as_text=True) and len(receiver.received) == 1
    assert db.session.scalar(select(func.count()).select_from(Job).where(Job.kind.like("%:deliver"))) == 1


def test_a_url_resolving_to_a_private_address_is_refused_at_save_and_at_delivery(signed_in, customer):
    page = signed_in.post("/settings/webhooks/", data={"url": "https://localhost/hooks",
                                                        "events": ["conversation.ended"]})
    assert page.status_code == 422 and "loopback" in page.get_data(as_text=True)
    assert db.session.scalars(select(WebhookEndpoint)).all() == []
    # An endpoint saved while its name was public, now resolving to a private address.
    from dashboard.webhooks_out import signing

    db.session.add(WebhookEndpoint(customer_id=customer.customer_id, url="https://localhost/hooks", events=["ping"],
                                   enabled=True, secret_encrypted=signing.encrypt("whsec_x")))
    db.session.commit()
    endpoint_id = db.session.scalars(select(WebhookEndpoint.webhook_endpoint_id)).one()
    signed_in.post(f"/settings/webhooks/{endpoint_id}/ping")
    delivery = db.session.scalars(select(WebhookDelivery)).one()
    assert delivery.status == "retrying" and "loopback" in delivery.response_excerpt
    attempt = db.session.scalars(select(WebhookAttempt)).one()
    assert attempt.response_status is None and "loopback" in attempt.error


def test_plain_http_and_unknown_events_are_refused_with_a_message(signed_in):
    page = signed_in.post("/settings/webhooks/", data={"url": "http://example.com/x", "events": ["ping"]})
    assert page.status_code == 422 and "Only https://" in page.get_data(as_text=True)
    page = signed_in.post("/settings/webhooks/", data={"url": "https://example.com/x", "events": ["nope"]})
    assert page.status_code == 422 and "Choose at least one event" in page.get_data(as_text=True)


def test_a_business_has_at_most_the_configured_number_of_endpoints(signed_in, receiver, app):
    app.config["WEBHOOK_ENDPOINTS_MAX"] = 1
    add_endpoint(signed_in, receiver.url)
    page = signed_in.post("/settings/webhooks/", data={"url": receiver.url, "events": ["conversation.ended"]})
    assert page.status_code == 422 and "at most 1 webhook endpoints" in page.get_data(as_text=True)


def test_another_customers_endpoint_is_404_on_every_route(signed_in, other_customer):
    from dashboard.webhooks_out import signing

    theirs = WebhookEndpoint(customer_id=other_customer.customer_id, url="https://example.com/x", events=["ping"],
                             enabled=True, secret_encrypted=signing.encrypt("whsec_x"))
    db.session.add(theirs)
    db.session.commit()
    base = f"/settings/webhooks/{theirs.webhook_endpoint_id}"
    assert signed_in.get(base).status_code == 404
    for path in ("/rotate", "/enabled", "/delete", "/ping", "/deliveries/1/resend"):
        assert signed_in.post(base + path).status_code == 404, path
    assert signed_in.get(base + "/deliveries/1", headers={"HX-Request": "true"}).status_code == 404
    assert db.session.get(WebhookEndpoint, theirs.webhook_endpoint_id).enabled



def test_a_secret_that_no_longer_decrypts_is_not_sent_and_says_so_in_the_log(signed_in, receiver):
    endpoint_id, _ = add_endpoint(signed_in, receiver.url)
    db.session.execute(update(WebhookEndpoint).values(secret_encrypted=signing_under_another_key()))
    db.session.commit()
    signed_in.post(f"/settings/webhooks/{endpoint_id}/ping")
    delivery = db.session.scalars(select(WebhookDelivery)).one()
    assert delivery.status == "retrying" and "rotate the secret" in delivery.response_excerpt
    assert receiver.received == [] and db.session.scalars(select(WebhookAttempt)).all() == []
    assert "rotate the secret" in signed_in.get(f"/settings/webhooks/{endpoint_id}").get_data(as_text=True)


def signing_under_another_key() -> str:
    from cryptography.fernet import Fernet

    return Fernet(Fernet.generate_key()).encrypt(b"whsec_other").decode()
