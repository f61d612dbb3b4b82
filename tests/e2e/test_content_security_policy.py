"""Under the strict Content-Security-Policy every page works and the browser reports no violation."""
import re

from tests.e2e.conftest import sign_in
from tests.e2e.test_shell_journey import SECTIONS, demo  # noqa: F401  (the demo fixture)

# Collects every violation the browser reports, before any script of the page runs.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + (event.blockedURI || "inline") + " " + event.sourceFile);
});
"""


def watch(page) -> list[str]:
    """Console messages and page errors that tell of a blocked script, style, connection or eval."""
    seen: list[str] = []
    page.add_init_script(RECORD_VIOLATIONS)
    page.on("console", lambda message: seen.append(message.text)
            if re.search(r"Content Security Policy|Refused to", message.text) else None)
    page.on("pageerror", lambda error: seen.append(f"pageerror: {error}"))
    return seen


def violations(page) -> list[str]:
    return page.evaluate("window.__cspViolations")


def test_every_section_loads_without_a_csp_violation(page, live_server, demo):  # noqa: F811
    seen = watch(page)
    sign_in(page, live_server, *demo)
    for label, _ in SECTIONS:
        page.click(f"nav >> text={label}")
        page.wait_for_load_state("networkidle")
        assert violations(page) == [], label
    page.click("nav >> text=Agents")
    page.locator(".agent-card a, a[href*='/agents/']").filter(has_text=re.compile(r"\w")).nth(0).click()
    page.wait_for_load_state("networkidle")
    assert violations(page) == []
    assert seen == []


def test_the_behaviours_moved_out_of_inline_handlers_still_work(page, live_server, demo):  # noqa: F811
    seen = watch(page)
    sign_in(page, live_server, *demo)
    page.click("#flashes .flash-close")  # data-dismiss
    assert page.locator("#flashes .flash").count() == 0

    page.goto(f"{live_server}/conversations/")
    page.fill("input[name=q]", "refund")
    page.wait_for_url(re.compile(r"q=refund"))  # the filter form pushed its URL without the empty fields
    assert "agent=" not in page.url and "channel=" not in page.url

    page.goto(f"{live_server}/emails/")
    template_link = page.locator("a[href*='/emails/templates/']").filter(has_not_text="New").first
    template_link.click()
    asked = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.click("form[data-confirm] button[type=submit]")
    assert asked and asked[0].startswith("Delete this template?")
    assert "/emails/templates/" in page.url  # dismissed: nothing was deleted
    assert violations(page) == [] and seen == []


def test_the_phone_menu_opens_with_a_script_file(browser, live_server, demo):  # noqa: F811
    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    seen = watch(page)
    sign_in(page, live_server, *demo)
    page.click("button.nav-toggle")
    assert page.locator("#sidenav").is_visible()
    assert page.get_attribute("button.nav-toggle", "aria-expanded") == "true"
    assert violations(page) == [] and seen == []
    context.close()
