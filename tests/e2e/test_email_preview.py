"""Browser: a template's preview follows what is typed, and a placeholder button inserts at the cursor."""
from __future__ import annotations

import pytest

from dashboard.extensions import db
from tests import factories
from tests.e2e.conftest import sign_in


@pytest.fixture
def app(make_app):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        yield app


def test_the_preview_follows_typing_and_placeholders_insert_at_the_cursor(app, live_server, page, screenshot):
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    customer = factories.make_customer()
    agent = factories.make_agent(customer, name="Front Desk")
    template = factories.make_email_template(customer, agent, email_subject="Thanks", email_body="Hello !")
    db.session.commit()
    sign_in(page, live_server, customer.email, factories.PASSWORD)
    page.goto(f"{live_server}/emails/templates/{template.email_pk}")
    preview = page.locator("#email-preview")
    assert preview.locator(".email-preview-text").inner_text() == "Hello !"

    body = page.locator("textarea[name=email_body]")
    body.click()
    body.evaluate("field => field.setSelectionRange(6, 6)")  # between "Hello " and "!"
    page.click("button[data-insert-placeholder='{{visitor_name}}']")
    assert body.input_value() == "Hello {{visitor_name}}!"
    page.wait_for_function("() => document.querySelector('#email-preview .email-preview-text')"
                           ".textContent === 'Hello Ava Nguyen!'")

    subject = page.locator("input[name=email_subject]")
    subject.click()
    subject.press("End")
    subject.type(" from ")
    page.click("button[data-insert-placeholder='{{agent_name}}']")
    assert subject.input_value() == "Thanks from {{agent_name}}"
    page.wait_for_function("() => document.querySelector('#email-preview .email-preview-subject')"
                           ".textContent === 'Thanks from Front Desk'")

    body.fill("Hi **{{visitor_name}}**\n\n- a cleaning\n- a check-up")
    page.check("input[name=send_html]")
    preview.locator(".email-preview-html strong").wait_for()
    assert preview.locator(".email-preview-html strong").inner_text() == "Ava Nguyen"
    assert not page.get_by_role("link", name="See the preview ↓").is_visible()  # side by side: no need
    screenshot(page, "email-template-preview")
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    # One column: the preview is below the whole form; a link right under the body goes there and back.
    body.click()
    page.get_by_role("link", name="See the preview ↓").click()
    page.wait_for_function("() => { const box = document.querySelector('#email-preview').getBoundingClientRect();"
                           " const bar = document.querySelector('.topbar').getBoundingClientRect();"
                           " return box.top >= bar.bottom && box.top < window.innerHeight / 2; }")  # not under the bar
    screenshot(page, "email-template-preview-phone")
    page.get_by_role("link", name="↑ Back to the body").click()
    page.wait_for_function("() => { const box = document.querySelector('#email_body').getBoundingClientRect();"
                           " return box.top >= -1 && box.bottom <= window.innerHeight; }")
    assert errors == []
