"""The shell every page lives in: navigation, flashes, vendored htmx, error pages."""
import pytest
from flask import abort

SECTIONS = ["/", "/agents/", "/conversations/", "/analytics/", "/emails/", "/leads/", "/integrations/",
            "/billing/", "/settings/"]


@pytest.mark.parametrize("path", SECTIONS)
def test_every_section_renders_for_a_signed_in_customer(login_as, customer, path):
    page = login_as(customer).get(path)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for label in ("Agents", "Conversations", "Analytics", "Emails", "Leads", "Integrations", "Billing", "Settings"):
        assert f">{label}</a>" in html
    assert 'aria-current="page"' in html


def test_base_layout_loads_vendored_htmx_with_the_csrf_header(login_as, customer):
    html = login_as(customer).get("/").get_data(as_text=True)
    assert "/static/vendor/htmx-2.0.11.min.js" in html
    assert "cdn" not in html.lower()
    assert 'hx-headers=\'{"X-CSRFToken": "' in html


def test_flash_messages_show_after_sign_in(login_as, customer):
    client = login_as(customer)
    assert f"Welcome back, {customer.name}." in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize("code", [400, 403, 404, 405, 413, 429, 500])
def test_error_pages_are_html_for_people_and_json_under_api(make_app, code):
    app = make_app(PROPAGATE_EXCEPTIONS=False)

    @app.get("/boom/<int:code>", endpoint="boom_html")
    @app.get("/api/v1/boom/<int:code>", endpoint="boom_json")
    def boom(code):
        if code == 500:
            raise RuntimeError("a bug")
        abort(code)

    from dashboard.access import public
    public(boom)
    client = app.test_client()
    html = client.get(f"/boom/{code}")
    assert html.status_code == code
    assert "<html" in html.get_data(as_text=True) and "Traceback" not in html.get_data(as_text=True)
    api = client.get(f"/api/v1/boom/{code}")
    assert api.status_code == code
    assert api.mimetype == "application/problem+json" and api.get_json()["status"] == code


def test_unknown_api_path_is_a_json_404(client):
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404 and response.get_json()["detail"]


def test_only_responses_that_differ_by_htmx_vary_on_it(client, login_as, customer):
    assert "HX-Request" not in client.get("/auth/login").headers.get("Vary", "")  # one answer for everyone
    assert "HX-Request" not in client.get("/api/v1/").headers.get("Vary", "")  # JSON, never a fragment
    signed_in = login_as(customer)
    assert "HX-Request" in signed_in.get("/analytics/").headers.get("Vary", "")
    assert "HX-Request" in signed_in.get("/agents/").headers.get("Vary", "")  # until agents adopts fragments.py
