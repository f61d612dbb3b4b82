"""'Send a test email' on a template's page: validated, gated by the plan, sent with sample values, never logged."""
from __future__ import annotations

from sqlalchemy import func, select

from dashboard.emails.models import EmailLog
from dashboard.extensions import db
from tests import factories

HTMX = {"HX-Request": "true", "HX-Target": "test-email"}


def post_test(client, template, address, htmx=True):
    return client.post(f"/emails/templates/{template.email_pk}/test", data={"address": address},
                       headers=HTMX if htmx else {})


def logged() -> int:
    return db.session.scalar(select(func.count()).select_from(EmailLog))


def test_the_edit_page_offers_a_test_email_and_says_it_is_not_logged(login_as, customer):
    template = factories.make_email_template(customer)
    html = login_as(customer).get(f"/emails/templates/{template.email_pk}").get_data(as_text=True)
    assert "Send a test email" in html and "not listed in the send log" in html
    assert f'hx-post="/emails/templates/{template.email_pk}/test"' in html


def test_a_test_email_is_sent_with_sample_values_and_not_logged(login_as, customer, smtp):
    agent = factories.make_agent(customer, name="Front Desk")
    template = factories.make_email_template(customer, agent, email_subject="Thanks {{visitor_name}}",
                                             email_body="{{call_summary}} ({{agent_name}}, {{business_name}})")
    response = post_test(login_as(customer), template, "me@mybusiness.example")
    assert response.status_code == 200
    assert "Test email sent to me@mybusiness.example." in response.get_data(as_text=True)
    [message] = smtp.messages
    assert message["To"] == "me@mybusiness.example" and message["Subject"] == "[Test] Thanks Ava Nguyen"
    assert message["Reply-To"] == "hello@business.example"
    assert f"(Front Desk, {customer.name})" in message.get_content() and "booked one for Tuesday" in message.get_content()
    assert logged() == 0


def test_a_bad_address_is_422_next_to_the_field_and_nothing_is_sent(login_as, customer, smtp):
    template = factories.make_email_template(customer)
    client = login_as(customer)
    for address in ("", "not-an-address", "a@b.example\r\nBcc: x@y.example"):
        response = post_test(client, template, address)
        assert response.status_code == 422, address
        html = response.get_data(as_text=True)
        assert 'id="test-email"' in html and ("Enter an email address like" in html or "Fill in “" in html)
    assert smtp.messages == []


def test_without_send_emails_the_button_is_locked_and_the_server_refuses(login_as, db, smtp):
    customer = factories.make_customer(with_contract=False)
    factories.make_contract(customer, factories.make_plan(send_emails=False))
    template = factories.make_email_template(customer)
    client = login_as(customer)
    page = client.get(f"/emails/templates/{template.email_pk}").get_data(as_text=True)
    assert "does not include follow-up emails" in page and "Send test email</button>" in page
    assert 'type="submit" disabled>Send test email' in page
    response = post_test(client, template, "me@mybusiness.example")
    assert response.status_code == 403 and "does not include follow-up emails" in response.get_data(as_text=True)
    assert smtp.messages == []


def test_a_mail_server_failure_is_shown_in_place(login_as, customer, smtp):
    template = factories.make_email_template(customer)
    client = login_as(customer)
    smtp.stop()
    response = post_test(client, template, "me@mybusiness.example")
    assert response.status_code == 502
    assert f"The test email was not sent: The mail server at 127.0.0.1:{smtp.port} refused the connection." \
        in response.get_data(as_text=True)


def test_without_javascript_the_result_is_flashed_on_the_edit_page(login_as, customer, smtp):
    template = factories.make_email_template(customer)
    client = login_as(customer)
    response = post_test(client, template, "me@mybusiness.example", htmx=False)
    assert response.status_code == 303 and response.headers["Location"].endswith(f"/templates/{template.email_pk}")
    assert "Test email sent to me@mybusiness.example." in client.get(response.headers["Location"]).get_data(as_text=True)
    response = post_test(client, template, "nope", htmx=False)
    assert "Type a valid email address" in client.get(response.headers["Location"]).get_data(as_text=True)
    assert len(smtp.messages) == 1


def test_test_emails_are_rate_limited_per_customer(make_app, smtp, tmp_path):
    from tests.emails.conftest import smtp_settings

    limited = make_app(**smtp_settings(smtp, tmp_path), RATELIMIT_ENABLED=True, TEST_EMAIL_RATE_LIMIT="2 per hour")
    with limited.app_context():
        customer = factories.make_customer()
        template = factories.make_email_template(customer)
        db.session.commit()
        client = limited.test_client()
        assert client.post("/auth/login", data={"email": customer.email, "password": factories.PASSWORD}).status_code == 302
        assert [post_test(client, template, "me@mybusiness.example").status_code for _ in range(2)] == [200, 200]
        response = post_test(client, template, "me@mybusiness.example")
        assert response.status_code == 429 and "the most test emails allowed (2 per 1 hour)" in response.get_data(as_text=True)
        assert len(smtp.messages) == 2


def test_without_a_mail_server_the_test_email_says_it_was_written_to_the_outbox(make_app, tmp_path):
    outbox = tmp_path / "outbox"
    no_smtp = make_app(MAIL_SERVER=None, MAIL_OUTBOX_DIR=str(outbox))
    with no_smtp.app_context():
        customer = factories.make_customer()
        template = factories.make_email_template(customer, email_subject="Thanks {{visitor_name}}")
        db.session.commit()
        client = no_smtp.test_client()
        assert client.post("/auth/login", data={"email": customer.email, "password": factories.PASSWORD}).status_code == 302
        html = post_test(client, template, "me@mybusiness.example").get_data(as_text=True)
        [written] = outbox.glob("*.eml")
        assert "Test email for me@mybusiness.example written to the outbox, not sent" in html
        assert f"<code>{written}</code>" in html and "no MAIL_SERVER is set" in html
        assert "Test email sent to" not in html
        assert "Subject: [Test] Thanks Ava Nguyen" in written.read_text()
        response = post_test(client, template, "me@mybusiness.example", htmx=False)  # without JavaScript: the flash
        assert "written to the outbox, not sent" in client.get(response.headers["Location"]).get_data(as_text=True)
