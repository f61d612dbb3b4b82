"""Settings → Webhooks with and without htmx: each action swaps only what changed; the log pages and escapes."""
from __future__ import annotations

from sqlalchemy import select

from dashboard.extensions import db
from dashboard.webhooks_out.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from tests import factories
from tests.querycount import counting_queries
from tests.webhooks_out.test_delivery import add_endpoint

HX = {"HX-Request": "true"}


def test_settings_links_to_the_webhooks_page(login_as, customer):
    client = login_as(customer)
    settings = client.get("/settings/").get_data(as_text=True)
    assert 'href="/settings/webhooks/"' in settings
    assert client.get("/settings/webhooks/").status_code == 200


def test_adding_with_htmx_swaps_the_endpoints_card_with_the_secret_once(signed_in, receiver):
    refused = signed_in.post("/settings/webhooks/", data={"url": "https://10.1.2.3/x", "events": ["ping"]},
                             headers={**HX, "HX-Target": "webhook-endpoints"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 422 and html.lstrip().startswith('<section class="card settings-card" id="webhook')
    assert "private network" in html and "10.1.2.3" in html  # the error, and what was typed, kept
    added = signed_in.post("/settings/webhooks/", data={"url": receiver.url, "events": ["lead.created"]},
                           headers={**HX, "HX-Target": "webhook-endpoints"})
    html = added.get_data(as_text=True)
    assert added.status_code == 200 and "<html" not in html and added.headers["Cache-Control"] == "no-store"
    assert 'id="new-webhook-secret"' in html and receiver.url in html
    assert 'id="new-webhook-secret"' not in signed_in.get("/settings/webhooks/").get_data(as_text=True)


def test_disable_enable_and_rotate_swap_the_summary(signed_in, receiver):
    endpoint_id, _ = add_endpoint(signed_in, receiver.url)
    base = f"/settings/webhooks/{endpoint_id}"
    off = signed_in.post(f"{base}/enabled", data={"enabled": "false"}, headers=HX).get_data(as_text=True)
    assert off.lstrip().startswith('<section class="card settings-card" id="endpoint-summary"')
    assert "The endpoint is disabled" in off and ">Enable</button>" in off
    assert not db.session.get(WebhookEndpoint, endpoint_id).enabled
    on = signed_in.post(f"{base}/enabled", data={"enabled": "true"}, headers=HX).get_data(as_text=True)
    assert "The endpoint is enabled" in on and db.session.get(WebhookEndpoint, endpoint_id).enabled
    rotated = signed_in.post(f"{base}/rotate", headers=HX)
    assert rotated.headers["Cache-Control"] == "no-store" and 'id="new-webhook-secret"' in rotated.get_data(as_text=True)
    assert "keeps signing too" in rotated.get_data(as_text=True)
    # Without htmx: a redirect with a flash message, and the whole page.
    plain = signed_in.post(f"{base}/enabled", data={"enabled": "false"}, follow_redirects=True)
    assert "<html" in plain.get_data(as_text=True) and "The endpoint is disabled" in plain.get_data(as_text=True)


def test_a_test_event_shows_in_the_log_and_its_entry_polls_until_delivered(signed_in, receiver):
    endpoint_id, _ = add_endpoint(signed_in, receiver.url)
    log = signed_in.post(f"/settings/webhooks/{endpoint_id}/ping", headers=HX).get_data(as_text=True)
    assert log.lstrip().startswith('<section class="card" id="delivery-log"') and "is on its way" in log
    delivery_id = db.session.scalars(select(WebhookDelivery.webhook_delivery_id)).one()
    # The log was drawn before the job ran (jobs start after the answer): the entry asks for itself again.
    assert f'hx-get="/settings/webhooks/{endpoint_id}/deliveries/{delivery_id}"' in log and 'every 1s' in log
    entry = signed_in.get(f"/settings/webhooks/{endpoint_id}/deliveries/{delivery_id}", headers=HX)
    html = entry.get_data(as_text=True)
    assert html.lstrip().startswith(f'<tbody class="delivery" id="delivery-{delivery_id}"')
    assert "Delivered" in html and "HTTP 200" in html and "every 1s" not in html and ">Resend</button>" in html
    assert [hit["body"]["type"] for hit in receiver.received] == ["ping"]
    # A resend answers the entry alone, queued again (and polling) until its new attempt is made.
    resent = signed_in.post(f"/settings/webhooks/{endpoint_id}/deliveries/{delivery_id}/resend", headers=HX)
    assert "is being sent again" in resent.get_data(as_text=True) and "every 1s" in resent.get_data(as_text=True)
    assert len(receiver.received) == 2


def test_the_log_pages_by_keyset_with_each_events_attempts_in_a_constant_number_of_queries(signed_in, customer,
                                                                                          receiver):
    endpoint = factories.make_webhook_endpoint(customer, url=receiver.url, events=["lead.created"])
    for n in range(23):
        delivery = factories.make_webhook_delivery(customer, endpoint)
        delivery.event_id, delivery.status, delivery.attempts = f"evt_{n:03}", "succeeded", 2
        db.session.add_all([WebhookAttempt(webhook_delivery_id=delivery.webhook_delivery_id, response_status=code,
                                           latency_ms=5, response_excerpt=f"answer {n} {code}", succeeded=code == 200)
                            for code in (500, 200)])
    db.session.commit()
    base = f"/settings/webhooks/{endpoint.webhook_endpoint_id}"
    with counting_queries() as statements:
        first = signed_in.get(base).get_data(as_text=True)
    assert first.count('class="delivery"') == 20 and "evt_022" in first and "evt_002" not in first
    assert "answer 22 500" in first and "answer 22 200" in first
    assert len(statements) < 15, statements
    older = first.split('id="log-more"')[1].split('hx-get="')[1].split('"')[0].replace("&amp;", "&")
    rest = signed_in.get(older, headers=HX).get_data(as_text=True)
    assert rest.count('class="delivery"') == 3 and "evt_000" in rest and "log-more" not in rest
    assert signed_in.get(f"{base}?cursor=not-a-cursor").status_code == 400


def test_the_answers_first_kb_is_shown_escaped(signed_in, receiver):
    endpoint_id, _ = add_endpoint(signed_in, receiver.url)
    receiver.reply = b"<script>alert('hooked')</script>"
    signed_in.post(f"/settings/webhooks/{endpoint_id}/ping")
    page = signed_in.get(f"/settings/webhooks/{endpoint_id}").get_data(as_text=True)
    assert "<script>alert" not in page and "&lt;script&gt;alert(&#39;hooked&#39;)&lt;/script&gt;" in page


def test_delete_with_htmx_redirects_to_the_list(signed_in, receiver):
    endpoint_id, _ = add_endpoint(signed_in, receiver.url)
    answer = signed_in.post(f"/settings/webhooks/{endpoint_id}/delete", headers=HX)
    assert answer.headers["HX-Redirect"] == "/settings/webhooks/"
    assert db.session.get(WebhookEndpoint, endpoint_id) is None
    assert "is deleted" in signed_in.get("/settings/webhooks/").get_data(as_text=True)
