"""No route answers 500 to what a person (or an attacker) can type: garbage in, a 4xx (or a redirect) out."""
from dashboard.extensions import db
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
SKIP = {"auth.logout", "static"}  # signing out would end the session the walk needs


def test_no_route_answers_500_to_hostile_input(app, login_as, customer):
    client = login_as(customer)
    headers = api_headers(customer)
    walked = 0
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIP:
            continue
        values = {arg: shared_value(app, arg) if arg in SHARED else OWNED[arg](customer) for arg in rule.arguments}
        db.session.commit()
        url = app.url_map.bind("localhost").build(rule.endpoint, values)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            extra = {"headers": headers} if url.startswith("/api/") else {}
            if method == "GET":
                response = client.get(url, query_string=HOSTILE_QUERY, **extra)
            elif url.startswith("/api/") or url.startswith("/webhooks/") or url.startswith("/widget/"):
                response = client.open(url, method=method, data=b'{"broken": [1, 2', content_type="application/json",
                                       **extra)
            else:
                response = client.open(url, method=method, data=HOSTILE_FORM, **extra)
            body = response.get_data(as_text=True)
            assert response.status_code < 500 or response.status_code in (502, 503), f"{method} {url}: {response.status_code}"
            assert "Traceback" not in body, f"{method} {url} leaked a stack trace"
            walked += 1
    assert walked > 60


def test_ids_no_row_can_have_are_404_not_overflow_errors(login_as, customer):
    client = login_as(customer)
    headers = api_headers(customer)
    for path in ("/agents/99999999999", "/conversations/2147483648", "/emails/templates/99999999999999999999"):
        assert client.get(path).status_code == 404, path
    for path in ("/api/v1/customers/lead_99999999999", "/api/v1/matches/2147483648"):
        assert client.get(path, headers=headers).status_code == 404, path
    assert client.get("/leads/?after=99999999999999999999").status_code == 200
