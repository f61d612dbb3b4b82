"""Local accounts: every page needs a signed-in customer; sign-in and sign-out work."""
import pytest

from tests import factories


def test_pages_redirect_to_sign_in_when_signed_out(client):
    response = client.get("/conversations/?agent=3")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login?next=")
    assert "conversations" in response.headers["Location"]


def test_htmx_requests_get_a_redirect_header_when_signed_out(client):
    response = client.get("/agents/", headers={"HX-Request": "true"})
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/auth/login")


def test_sign_in_page_and_health_check_are_public(client):
    assert client.get("/auth/login").status_code == 200
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_sign_in_with_the_right_password_lands_on_next(client, customer):
    response = client.post("/auth/login?next=/agents/", data={"email": customer.email.upper(),
                                                               "password": factories.PASSWORD})
    assert response.status_code == 302 and response.headers["Location"] == "/agents/"
    assert client.get("/agents/").status_code == 200


def test_wrong_password_is_refused_with_a_message(client, customer):
    response = client.post("/auth/login", data={"email": customer.email, "password": "wrong"})
    assert response.status_code == 401
    assert "do not match" in response.get_data(as_text=True)
    assert client.get("/agents/").status_code == 302


def test_invalid_email_is_a_4xx_with_the_error_next_to_the_field(client):
    response = client.post("/auth/login", data={"email": "not-an-email", "password": "x"})
    assert response.status_code == 422
    assert "Enter an email address like name@example.com." in response.get_data(as_text=True)


@pytest.mark.parametrize("target", ["//evil.com", "https://evil.com/", "/\\evil.com", "javascript:alert(1)",
                                    "https://app@evil.com", "\t//evil.com"])
def test_next_only_goes_to_local_paths(client, customer, target):
    response = client.post("/auth/login", query_string={"next": target},
                           data={"email": customer.email, "password": factories.PASSWORD})
    assert response.headers["Location"] == "/"


def test_sign_out_needs_a_post_and_ends_the_session(login_as, customer):
    client = login_as(customer)
    assert client.get("/auth/logout").status_code == 405
    assert client.post("/auth/logout").status_code == 302
    assert client.get("/agents/").status_code == 302


def test_state_changes_need_a_csrf_token(make_app, customer):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    response = client.post("/auth/login", data={"email": customer.email, "password": factories.PASSWORD})
    assert response.status_code == 400
    assert "session expired" in response.get_data(as_text=True).lower() or "csrf" in response.get_data(as_text=True).lower()
