"""Every response carries the security headers: a nonce-based CSP, no framing, nosniff, referrer, HSTS behind HTTPS."""
from __future__ import annotations

import io
import re
from pathlib import Path

from dashboard.extensions import db
from tests import factories
from tests.core.test_tenancy import api_headers

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
# A real PNG signature, then an HTML document: a sniffing browser could take it for a page.
POLYGLOT = b"\x89PNG\r\n\x1a\n" + b"\x00" * 16 + b"<html><body><script>alert(document.cookie)</script></body></html>"


def csp(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] if " " in part else ""
            for part in (p.strip() for p in policy.split(";")) if part}


def test_a_signed_in_page_cannot_be_framed_sniffed_or_run_inline_script(login_as, customer):
    response = login_as(customer).get("/agents/")
    policy = csp(response)
    assert response.status_code == 200
    assert policy["frame-ancestors"] == "'none'" and response.headers["X-Frame-Options"] == "DENY"
    assert re.fullmatch(r"'self' 'nonce-[\w-]+'", policy["script-src"])
    assert "unsafe-inline" not in policy["script-src"] and "unsafe-eval" not in policy["script-src"]
    assert policy["object-src"] == "'none'" and policy["base-uri"] == "'self'"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "microphone=()" in response.headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in response.headers  # cookies are not secure here: not served over HTTPS


def test_each_response_gets_a_nonce_of_its_own(client):
    first, second = (csp(client.get("/auth/login"))["script-src"] for _ in range(2))
    assert first != second


def test_json_errors_and_the_widgets_public_endpoints_carry_the_headers_and_keep_cors(client, customer):
    api = client.get("/api/v1/customers", headers=api_headers(customer))
    missing = client.get("/api/v1/customers")
    widget = client.get("/widget/not-a-token/config", headers={"Origin": "https://customer.example"})
    for response in (api, missing, widget):
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert csp(response)["frame-ancestors"] == "'none'"
    assert widget.status_code == 404 and widget.headers["Access-Control-Allow-Origin"] == "*"
    assert client.get("/static/js/widget.js").headers["Content-Type"].startswith("text/javascript")


def test_hsts_is_sent_only_when_the_site_says_it_is_behind_https(make_app):
    secure = make_app(SESSION_COOKIE_SECURE=True).test_client()
    assert secure.get("/auth/login", base_url="https://dash.example").headers["Strict-Transport-Security"] == (
        "max-age=31556926")  # a year, Talisman's default
    plain = make_app(SESSION_COOKIE_SECURE=False).test_client()
    assert "Strict-Transport-Security" not in plain.get("/auth/login", base_url="https://dash.example").headers
    # TLS ends at the proxy: a plain-HTTP request is answered, never redirected to https.
    assert secure.get("/auth/login").status_code == 200


def test_only_the_widget_test_page_may_use_the_microphone(login_as, customer):
    agent = factories.make_agent(customer)
    db.session.commit()
    response = login_as(customer).get(f"/agents/{agent.agent_id}/widget-preview")
    policy = csp(response)
    assert response.status_code == 200
    assert "microphone=(self)" in response.headers["Permissions-Policy"]
    assert policy["frame-ancestors"] == "'none'" and "wss:" in policy["connect-src"]
    assert "unsafe-inline" not in policy["script-src"]


def test_a_png_html_polyglot_avatar_is_served_as_an_image_that_cannot_run_script(login_as, customer):
    agent = factories.make_agent(customer)
    db.session.commit()
    client = login_as(customer)
    form = {"bot_name": "Ava", "color": "#0f8b8d", "position": "bottom-left", "greeting": "Hello there!",
            "launcher_text": "Talk to Ava", "avatar_url": "", "avatar": (io.BytesIO(POLYGLOT), "me.png")}
    saved = client.post(f"/agents/{agent.agent_id}/widget", data=form, headers={"HX-Request": "true"},
                        content_type="multipart/form-data")
    assert saved.status_code == 200, saved.get_data(as_text=True)
    db.session.expire_all()
    url = db.session.get(type(agent), agent.agent_id).ui_config["avatar_url"]
    served = client.get(url)
    assert served.data == POLYGLOT
    assert served.mimetype == "image/png" and served.headers["X-Content-Type-Options"] == "nosniff"
    policy = csp(served)
    assert policy["default-src"] == "'none'" and "sandbox" in policy


def test_no_template_has_an_inline_handler_or_an_unnonced_inline_script():
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        assert not re.search(r"\son[a-z]+\s*=", text), f"{template.name} has an inline event handler"
        assert "hx-on" not in text, f"{template.name} has hx-on (needs eval)"
        for tag in re.findall(r"<script\b[^>]*>", text):
            assert "src=" in tag or 'type="application/json"' in tag or "csp_nonce()" in tag, (template.name, tag)


def test_a_page_has_one_htmx_config_without_eval():
    """htmx reads only the first htmx-config meta: base.html writes it, pages add to it through htmx_page_config."""
    for template in TEMPLATES.rglob("*.html"):
        if template.name != "base.html":
            assert 'name="htmx-config"' not in template.read_text(), template.name
    base = (TEMPLATES / "base.html").read_text()
    assert '"allowEval": false' in base and '"includeIndicatorStyles": false' in base
