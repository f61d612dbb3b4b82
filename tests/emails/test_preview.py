"""A template's preview (subject and body with sample values, as typed), its optional HTML part rendered from
Markdown and escaped, sent as multipart/alternative."""
from __future__ import annotations

import re

from dashboard.emails.models import EmailTemplate
from dashboard.emails.sending import render_with
from dashboard.extensions import db
from tests import factories

HTMX = {"HX-Request": "true", "HX-Target": "email-preview"}
HOSTILE = '<img src=x onerror="alert(1)"> [click](https://evil.example) **loud**'


def preview(client, **fields):
    data = {"email_subject": "Thanks {{visitor_name}}", "sender_email": "hello@business.example", "agent_id": "0",
            "email_body": "Hi {{visitor_name}}, {{agent_name}} here.", **fields}
    return client.post("/emails/templates/preview", data=data, headers=HTMX)


def test_the_edit_page_shows_the_preview_and_the_placeholders_to_insert(login_as, customer):
    agent = factories.make_agent(customer, name="Front Desk")
    template = factories.make_email_template(customer, agent, email_subject="Thanks {{visitor_name}}",
                                             email_body="{{call_summary}}\n-- {{agent_name}}, {{business_name}}")
    html = login_as(customer).get(f"/emails/templates/{template.email_pk}").get_data(as_text=True)
    assert 'hx-post="/emails/templates/preview"' in html and 'id="email-preview"' in html
    assert '<dd class="email-preview-subject">Thanks Ava Nguyen</dd>' in html
    assert f"booked one for Tuesday at 10am.\n-- Front Desk, {customer.name}</pre>" in html
    for name in ("visitor_name", "call_summary", "agent_name", "business_name"):
        assert f'data-insert-placeholder="{{{{{name}}}}}"' in html
    assert "<script>" not in html.split("<main", 1)[1]  # the insert buttons are wired by static/js/app.js (CSP)


def test_the_preview_follows_the_form_as_typed_and_saves_nothing(login_as, customer):
    agent = factories.make_agent(customer, name="Front Desk")
    client = login_as(customer)
    response = preview(client, agent_id=str(agent.agent_id))
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and body.lstrip().startswith('{# ') is False
    assert "Thanks Ava Nguyen" in body and "Hi Ava Nguyen, Front Desk here." in body
    assert db.session.query(EmailTemplate).count() == 0


def test_the_preview_says_what_the_form_would_refuse_and_never_fails(login_as, customer):
    other_agent = factories.make_agent(factories.make_customer(), name="Someone Else's Agent")
    client = login_as(customer)
    body = preview(client, email_body="Hi {{nickname}}", agent_id=str(other_agent.agent_id)).get_data(as_text=True)
    assert "Unknown placeholder(s), left as typed: nickname." in body and "Hi {{nickname}}" in body
    assert "Someone Else" not in preview(client, email_body="{{agent_name}}",
                                         agent_id=str(other_agent.agent_id)).get_data(as_text=True)
    for agent_id in ("", "abc", "-1", str(2**70)):
        assert preview(client, agent_id=agent_id).status_code == 200
    long = preview(client, email_body="x" * 20_001)
    assert long.status_code == 200 and "the body 20,000" in long.get_data(as_text=True)


def test_the_formatted_version_is_markdown_with_html_escaped(login_as, customer):
    body = preview(login_as(customer), send_html="y",
                   email_body="Hi **{{visitor_name}}**\n\n- one\n- two\n\n<script>alert(1)</script> [ok](https://example.com)"
                   ).get_data(as_text=True)
    formatted = re.search(r'<div class="email-preview-html">(.*?)</div>', body, re.S).group(1)
    assert "<strong>Ava Nguyen</strong>" in formatted and "<li>one</li>" in formatted
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in formatted and "<script>" not in formatted
    assert '<a href="https://example.com">ok</a>' in formatted
    assert "Plain-text version" in body and "Hi **Ava Nguyen**" in body  # the text part keeps the Markdown as typed


def test_values_put_no_markup_into_the_html_part(app, customer):
    template = EmailTemplate(email_subject="Hi", email_body="Hello {{visitor_name}}\n\n{{call_summary}}", send_html=True)
    rendered = render_with(template, {"visitor_name": HOSTILE, "call_summary": "[x](javascript:alert(1))"})
    assert "<img" not in rendered.html and "&lt;img" in rendered.html
    assert "<a " not in rendered.html and "<strong>" not in rendered.html  # a value's Markdown stays text
    assert "javascript:" in rendered.html and "href" not in rendered.html
    assert rendered.body == f"Hello {HOSTILE}\n\n[x](javascript:alert(1))"
    assert render_with(EmailTemplate(email_subject="Hi", email_body="x", send_html=False), {}).html is None


def test_a_formatted_template_is_sent_as_multipart_alternative(login_as, customer, smtp):
    template = factories.make_email_template(customer, email_subject="Thanks {{visitor_name}}",
                                             email_body="Hi **{{visitor_name}}**,\n\n{{call_summary}}", send_html=True)
    response = login_as(customer).post(f"/emails/templates/{template.email_pk}/test",
                                       data={"address": "me@mybusiness.example"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    [message] = smtp.messages
    assert message.get_content_type() == "multipart/alternative"
    text, html = message.get_body(("plain",)), message.get_body(("html",))
    assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
    assert "Hi **Ava Nguyen**," in text.get_content()
    assert "<strong>Ava Nguyen</strong>" in html.get_content() and "booked one for Tuesday" in html.get_content()


def test_a_plain_template_is_still_sent_as_text_only(login_as, customer, smtp):
    template = factories.make_email_template(customer)
    login_as(customer).post(f"/emails/templates/{template.email_pk}/test", data={"address": "me@mybusiness.example"},
                            headers={"HX-Request": "true"})
    [message] = smtp.messages
    assert message.get_content_type() == "text/plain"


def test_saving_keeps_the_formatted_choice(login_as, customer):
    template = factories.make_email_template(customer)
    response = login_as(customer).post(f"/emails/templates/{template.email_pk}", data={
        "email_subject": "Thanks", "sender_email": "hello@business.example", "agent_id": "0",
        "email_body": "Hi **{{visitor_name}}**", "send_html": "y", "is_active": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(EmailTemplate, template.email_pk).send_html is True
