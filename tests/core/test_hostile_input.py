"""No route answers 500 to what a person (or an attacker) can type: garbage in, a 4xx (or a redirect) out."""
from datetime import UTC, datetime

from dashboard.extensions import db
from tests import factories
from tests.core.test_tenancy import OWNED, SHARED, api_headers, shared_value

HOSTILE_QUERY = {
    "q": "' OR 1=1 -- \\x00 <script>alert(1)</script>", "cursor": "\x00garbage|-1", "after": "99999999999999999999999",
    "days": "-5", "page": "abc", "status": "<b>", "cadence": "weekly", "start": "2026-13-45", "end": "not-a-date",
    "agent": "abc", "sentiment": "ecstatic", "session_id": "cs_forged", "next": "//evil.com", "template": "x",
    "over_limit": "maybe", "language": "\u202e", "provider": "%00",
}
HOSTILE_FORM = {
    "name": "x" * 5000, "email": "not-an-email", "password": "", "phone": "++--", "temperature": "hot",
    "prompt_id": "-1", "agent_id": "abc", "url": "javascript:alert(1)", "http_method": "TRACE", "color": "red;}",
    "email_subject": "\r\nBcc: victim@example.com", "voice": "\x00", "position": "middle", "business_name": "",
    "static_params-0-name": "{{7*7}}", "dynamic_params-0-schema": "{not json", "cadence": "weekly",
}
# What the input guard refuses before any route reads it (dashboard/input_guard.py).
GUARDED_QUERY = {"q": "refund\x00", "cursor": "\x00", "starting_after": "lead_\u00b2", "after": "\u00b2",
                 "agent": "9" * 40, "page": "\u0663", "days": "1e400"}
HOSTILE_JSON = [
    b'{"broken": [1, 2',
    b'{"a": ' * 10_000 + b"1" + b"}" * 10_000,
    b"[" * 100 + b"]" * 100,
    b'{"name": "a\\u0000b", "content": "x"}',
    b'{"name": "a\\ud800b", "messages": [{"content": "\\udfff"}]}',
    b'{"price": 1e400, "details": {"price": -1e400}, "agent_id": NaN}',
    b'{"agent_id": ' + b"9" * 30 + b', "id": 2147483648}',
    "{\"name\": \"\ud800\"}".encode("utf-8", "surrogatepass"),
]
NUL_FORM = {name: f"{value}\x00" for name, value in HOSTILE_FORM.items() if isinstance(value, str)}
SKIP = {"auth.logout", "static"}  # signing out would end the session the walk needs


def test_no_route_answers_500_to_hostile_input(app, login_as, customer):
    """Every route in the URL map: GET with hostile query arguments, every other method with hostile JSON and forms."""
    client = login_as(customer)
    headers = api_headers(customer)
    walked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIP:
            continue
        values = {arg: shared_value(app, arg) if arg in SHARED else OWNED[arg](customer) for arg in rule.arguments}
        db.session.commit()
        url = app.url_map.bind("localhost").build(rule.endpoint, values)
        extra = {"headers": headers} if url.startswith("/api/") else {}
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if method == "GET":
                sent = [client.get(url, query_string=query, **extra) for query in (HOSTILE_QUERY, GUARDED_QUERY)]
            else:
                sent = [client.open(url, method=method, data=body, content_type="application/json", **extra)
                        for body in HOSTILE_JSON]
                sent += [client.open(url, method=method, data=form, **extra) for form in (HOSTILE_FORM, NUL_FORM)]
            for response in sent:
                body = response.get_data(as_text=True)
                assert response.status_code < 500 or response.status_code in (502, 503), (
                    f"{method} {url}: {response.status_code}")
                assert "Traceback" not in body, f"{method} {url} leaked a stack trace"
                walked += 1
    assert walked > 200


def test_what_the_guard_refuses_is_a_400_in_the_shape_the_caller_reads(login_as, customer):
    client = login_as(customer)
    page = client.get("/conversations/", query_string={"q": "\x00"})
    assert page.status_code == 400 and page.mimetype == "text/html" and "NUL" in page.get_data(as_text=True)
    api = client.get("/api/v1/customers", query_string={"q": "\x00"}, headers=api_headers(customer))
    assert api.status_code == 400 and api.get_json()["detail"] == "The query argument 'q' has a NUL character."
    form = client.post("/emails/templates/new", data={"name": "a\x00b"})
    assert form.status_code == 400 and "NUL" in form.get_data(as_text=True)


def test_a_body_within_the_limits_still_reaches_the_route(client, customer):
    headers = api_headers(customer)
    nested = '{"type": "cleaning", "details": {"price": 120.5, "duration": 9223372036854775807}, "features": ["\U0001F600"]}'
    assert _raw(client, "/api/v1/services", nested, headers).status_code == 201


def test_ids_no_row_can_have_are_404_not_overflow_errors(login_as, customer):
    client = login_as(customer)
    headers = api_headers(customer)
    for path in ("/agents/99999999999", "/conversations/2147483648", "/emails/templates/99999999999999999999"):
        assert client.get(path).status_code == 404, path
    for path in ("/api/v1/customers/lead_99999999999", "/api/v1/matches/2147483648"):
        assert client.get(path, headers=headers).status_code == 404, path
    assert client.get("/leads/?after=99999999999999999999").status_code == 200


# "Found" 5 of issue 10: each of these answered 500 before the input guard.

def _raw(client, url, text: str, headers: dict | None = None):
    return client.post(url, data=text.encode("utf-8", "surrogatepass"), content_type="application/json",
                       headers=headers or {})


def _chat(agent_id, content="Hello") -> str:
    return (f'{{"agent_id": {agent_id}, "visitor": {{"name": "Ava"}}, "messages": [{{"role": "visitor", '
            f'"content": {content}, "timestamp": "2026-01-01T10:00:00+00:00"}}], "ended_at": "2026-01-01T10:01:00+00:00"}}')


def _is_problem(response, status=(400, 404, 422)) -> bool:
    return response.status_code in status and response.mimetype == "application/problem+json"


def test_an_agent_id_no_row_can_have_is_a_clear_4xx_in_the_chat_api(client, customer):
    headers = api_headers(customer)
    for agent_id in (2**31, 2**63, "1" * 30):
        response = _raw(client, "/api/v1/conversations", _chat(agent_id), headers)
        assert _is_problem(response), (agent_id, response.status_code)


def test_nul_bytes_and_lone_surrogates_in_a_message_are_refused(client, customer):
    headers = api_headers(customer)
    agent = factories.make_agent(customer)
    db.session.commit()
    for content in (r'"a\u0000b"', r'"a\ud800b"', '"a\udfffb"'):
        response = _raw(client, "/api/v1/conversations", _chat(agent.agent_id, content), headers)
        assert _is_problem(response, (400, 422)), (content, response.status_code)
        assert "surrogate" in response.get_json()["detail"] or "NUL" in response.get_json()["detail"]


def test_json_nested_ten_thousand_deep_is_refused_by_the_api_and_signed_webhooks(make_app, customer):
    from tests.conversations.conftest import sign as sign_ultravox
    from tests.standins.stripe_signing import sign_payload

    client = make_app(ULTRAVOX_WEBHOOK_SECRET="uv-secret", STRIPE_WEBHOOK_SECRET="whsec_hostile").test_client()
    deep = '{"a": ' * 10_000 + "1" + "}" * 10_000
    assert _is_problem(_raw(client, "/api/v1/conversations", deep, api_headers(customer)), (400,))
    assert _is_problem(_raw(client, "/api/v1/customers", "[" * 10_000 + "]" * 10_000, api_headers(customer)), (400,))
    timestamp = datetime.now(UTC).isoformat()
    ultravox = _raw(client, "/webhooks/ultravox", deep, {
        "X-Ultravox-Webhook-Timestamp": timestamp,
        "X-Ultravox-Webhook-Signature": sign_ultravox(deep.encode(), timestamp, "uv-secret")})
    stripe = _raw(client, "/webhooks/stripe", deep, {"Stripe-Signature": sign_payload(deep.encode(), "whsec_hostile")})
    assert _is_problem(ultravox, (400,)) and _is_problem(stripe, (400,))
    assert "nested" in stripe.get_json()["detail"]


def test_numbers_that_overflow_are_refused(client, customer):
    headers = api_headers(customer)
    for price in ("1e400", "-1e400", "1" * 400):
        body = '{"type": "cleaning", "details": {"price": ' + price + "}}"
        response = _raw(client, "/api/v1/services", body, headers)
        assert _is_problem(response, (400, 422)), (price, response.status_code)
    lead = '{"contact": {"name": "Ava"}, "engagement": {"score": 1e400}}'
    assert _raw(client, "/api/v1/customers", lead, headers).status_code in (400, 422)


def test_starting_after_with_non_ascii_or_forty_digits_is_a_400(client, customer):
    headers = api_headers(customer)
    for value in ("lead_²", "²", "lead_" + "9" * 40, "9" * 40, "lead_٣", "lead_\x00"):
        response = client.get("/api/v1/customers", query_string={"starting_after": value}, headers=headers)
        assert _is_problem(response, (400,)), (value, response.status_code)


def test_a_nul_in_a_search_is_a_4xx_on_every_list_count_and_export(login_as, customer):
    factories.make_conversation(customer)
    db.session.commit()
    client = login_as(customer)
    for path in ("/conversations/", "/conversations/count", "/conversations/export.csv",
                 "/conversations/export.jsonl", "/leads/"):
        for q in ("\x00", "refund\x00", "%00"):
            response = client.get(path, query_string={"q": q})
            assert 400 <= response.status_code < 500 or (q == "%00" and response.status_code == 200), (path, q)
            assert response.status_code < 500, (path, q, response.status_code)
    assert client.get("/conversations/", query_string={"q": "\x00"}).status_code == 400


def test_json_typed_into_a_form_field_is_held_to_the_same_limits(login_as, customer):
    """A custom tool's JSON Schema field nested 2,400 deep raised RecursionError (a 500); now it is a field error."""
    agent = factories.make_agent(customer)
    db.session.commit()
    response = login_as(customer).post(f"/agents/{agent.agent_id}/tools/new", data={
        "name": "lookup", "description": "Looks things up", "http_method": "GET", "url": "https://example.com/x",
        "dynamic_params-0-name": "q", "dynamic_params-0-location": "query",
        "dynamic_params-0-schema": "[" * 2400 + "]" * 2400})
    assert response.status_code == 422
    assert "nested deeper than 64 levels" in response.get_data(as_text=True)
