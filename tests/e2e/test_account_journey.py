"""A member's own account in the browser, at 1280 and 390 px: forgot password, choose a new one, change it, and
the list of signed-in sessions with "Sign out everywhere else"."""
from __future__ import annotations

import pytest

from dashboard.auth.operations import owner_member
from dashboard.auth.passwords import request_reset, reset_token
from dashboard.extensions import db
from tests import factories
from tests.e2e.conftest import sign_in


@pytest.mark.parametrize("width", [1280, 390])
def test_forgot_reset_change_and_sessions(browser, live_server, screenshot, width):
    customer = factories.make_customer()
    owner = owner_member(customer)
    db.session.commit()
    size = {"width": width, "height": 844 if width < 500 else 800}
    other = browser.new_context(viewport=size, user_agent="Mozilla/5.0 (Windows NT 10.0) Firefox/127.0")
    context = browser.new_context(viewport=size)
    page = context.new_page()
    try:
        page.goto(f"{live_server}/auth/login")
        page.click("text=Forgot your password?")
        page.fill("input[name=email]", "")
        page.click("button[type=submit]")
        assert "Enter the email you sign in with." in page.inner_text(".auth-card")
        page.fill("input[name=email]", owner.email)
        page.click("button[type=submit]")
        assert "is on its way" in page.inner_text(".auth-card")
        screenshot(page, f"account-forgot-sent-{width}")

        reset = request_reset(owner.email)
        db.session.commit()
        page.goto(f"{live_server}/password/reset/{reset_token(reset)}")
        screenshot(page, f"account-reset-{width}")
        page.fill("input[name=password]", "a brand new password")
        page.fill("input[name=confirm]", "a brand new password")
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server}/auth/login")
        assert "Your password is changed" in page.inner_text("body")

        sign_in(other.new_page(), live_server, owner.email, "a brand new password")
        sign_in(page, live_server, owner.email, "a brand new password")
        page.goto(f"{live_server}/settings/account")
        assert page.locator(".session").count() == 2 and page.locator(".session.current").count() == 1
        assert "Firefox on Windows" in page.inner_text("#sessions")
        page.fill("input[name=current]", "wrong password")
        page.fill("input[name=password]", "another new password")
        page.fill("input[name=confirm]", "another new password")
        page.click("text=Change password")
        assert "That is not your current password." in page.inner_text("#password")
        screenshot(page, f"account-settings-{width}")
        page.once("dialog", lambda dialog: dialog.accept())
        page.click("text=Sign out everywhere else")
        page.locator("text=Signed out everywhere else (1 session)").wait_for()
        assert page.locator(".session").count() == 1
        assert page.evaluate("document.documentElement.scrollWidth") <= width
    finally:
        other.close()
        context.close()
