"""Email templates are created, validated and edited; the send log pages by keyset."""
from datetime import timedelta

from sqlalchemy import select

from dashboard.database import utcnow
from dashboard.emails.operations import LOG_PAGE
from dashboard.extensions import db
from dashboard.models import EmailLog, EmailTemplate
from tests import factories
from tests.querycount import counting_queries

VALID = {"email_subject": "Thanks!", "sender_email": "hello@biz.example", "agent_id": "0",
         "email_body": "Hi {{visitor_name}}, {{call_summary}}", "is_active": "y"}


def test_create_template_with_an_agent(login_as, customer):
    agent = factories.make_agent(customer)
    db.session.commit()
    client = login_as(customer)
    response = client.post("/emails/templates/new", data={**VALID, "agent_id": str(agent.agent_id)})
    assert response.status_code == 302
    template = db.session.scalars(select(EmailTemplate)).one()
    assert (template.agent_id, template.customer_id, template.is_active) == (agent.agent_id, customer.customer_id, True)
    assert "Email template created." in client.get("/emails/").get_data(as_text=True)


def test_invalid_template_is_422_with_messages_and_nothing_saved(login_as, customer):
    other_agent = factories.make_agent(factories.make_customer())
    db.session.commit()
    client = login_as(customer)
    response = client.post("/emails/templates/new", data={**VALID, "sender_email": "nope",
                                                          "email_body": "Hi {{password}}",
                                                          "agent_id": str(other_agent.agent_id)})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Enter an email address like name@example.com." in html and "Unknown placeholder(s): password" in html
    assert "Choose one of the options offered" in html  # another customer's agent is not offered
    assert db.session.scalars(select(EmailTemplate)).first() is None


def test_plan_without_emails_cannot_create_templates(login_as, db):
    customer = factories.make_customer(with_contract=False)
    factories.make_contract(customer, factories.make_plan(send_emails=False))
    db.session.commit()
    client = login_as(customer)
    assert "not in your plan" in client.get("/emails/").get_data(as_text=True)
    response = client.post("/emails/templates/new", data=VALID)
    assert response.status_code == 302
    assert db.session.scalars(select(EmailTemplate)).first() is None
    assert "does not include follow-up emails" in client.get("/emails/").get_data(as_text=True)


def test_edit_and_delete_keep_the_log(login_as, customer):
    template = factories.make_email_template(customer)
    factories.make_email_log(customer, template)
    db.session.commit()
    client = login_as(customer)
    assert client.get(f"/emails/templates/{template.email_pk}").status_code == 200
    response = client.post(f"/emails/templates/{template.email_pk}", data={**VALID, "email_subject": "New subject"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(EmailTemplate, template.email_pk).email_subject == "New subject"
    client.post(f"/emails/templates/{template.email_pk}/delete")
    assert db.session.scalars(select(EmailTemplate)).first() is None
    assert db.session.scalars(select(EmailLog)).one().email_pk is None


def test_log_pages_by_keyset_without_repeats_and_constant_queries(login_as, customer):
    template = factories.make_email_template(customer)
    now = utcnow()
    for i in range(LOG_PAGE + 5):
        log = factories.make_email_log(customer, template)
        log.sent_at = now - timedelta(minutes=i)
    db.session.commit()
    client = login_as(customer)
    with counting_queries() as queries:
        first = client.get("/emails/").get_data(as_text=True)
    assert first.count("visitor@example.net") == LOG_PAGE
    cursor = first.split("cursor=")[1].split("&")[0].split('"')[0]
    second = client.get(f"/emails/?cursor={cursor}", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert second.count("visitor@example.net") == 5 and "Load older" not in second
    assert len(queries) < 12
    assert client.get("/emails/?cursor=garbage").status_code == 400  # a cursor this list did not issue


def test_the_log_filters_failed_sends_and_shows_why(login_as, customer):
    template = factories.make_email_template(customer)
    factories.make_email_log(customer, template).recipient_email = "delivered@example.net"
    failed = factories.make_email_log(customer, template)
    failed.recipient_email, failed.status, failed.error = "bounced@example.net", "failed", "The mail server said no (550)."
    db.session.commit()
    client = login_as(customer)
    everything = client.get("/emails/").get_data(as_text=True)
    assert "delivered@example.net" in everything and "The mail server said no (550)." in everything

    response = client.get("/emails/?status=failed", headers={"HX-Request": "true", "HX-Target": "send-log"})
    fragment = response.get_data(as_text=True)
    assert '<section id="send-log">' in fragment
    assert "<html" not in fragment and "bounced@example.net" in fragment and "delivered@example.net" not in fragment
    assert 'href="/emails/?status=failed"' in fragment and 'aria-current="true"' in fragment
    full = client.get("/emails/?status=failed").get_data(as_text=True)  # the pushed URL loads as a whole page
    assert "<html" in full and "bounced@example.net" in full and "delivered@example.net" not in full
    assert "delivered@example.net" in client.get("/emails/?status=bogus").get_data(as_text=True)  # unknown: all


def test_no_failed_sends_has_its_own_empty_state(login_as, customer):
    factories.make_email_log(customer, factories.make_email_template(customer))
    assert "No failed sends" in login_as(customer).get("/emails/?status=failed").get_data(as_text=True)
