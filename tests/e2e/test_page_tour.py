"""Every page at 1280x800 and 390x844, loaded once: axe-core finds no serious violation, nothing is wider than a
phone, and a screenshot of each is written to SCREENSHOT_DIR (default: a temporary directory) for people to look at.

One live server, one browser, one browser context per size; the pages come from the URL map (tests/e2e/tour.py).
Pages whose fix belongs to another piece of issue 18 are listed in PENDING with who fixes them: their tests are
strict xfails, so the day the fix merges they pass, fail as "XPASS", and the entry must go.
"""
from __future__ import annotations

import json
import os
import tempfile
import threading
import time
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from dashboard import create_app
from dashboard.extensions import db
from tests import factories
from tests.conftest import _empty_tables
from tests.e2e.tour import (
    AXE,
    AXE_RUN,
    AXE_TAGS,
    FAILING_IMPACTS,
    FAILING_RULES,
    OVERFLOW,
    SIZES,
    THIRD_PARTY,
    arguments_for,
    plan_visits,
    url_values,
)

CONFIG = {"TESTING": True, "RATELIMIT_ENABLED": False, "SECRET_KEY": "page-tour-secret-key-0123456789",
          "SERVER_NAME": None}


def _url_map_app():
    """An app for its URL map alone, built while tests are collected, with a throwaway instance folder."""
    previous = os.environ.get("INSTANCE_PATH")
    with tempfile.TemporaryDirectory() as instance:
        os.environ["INSTANCE_PATH"] = instance
        try:
            return create_app({**CONFIG, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
        finally:
            if previous is None:
                os.environ.pop("INSTANCE_PATH")
            else:
                os.environ["INSTANCE_PATH"] = previous


VISITS = plan_visits(_url_map_app())
DEMO_PASSWORD = "page-tour-demo-password"
SCREENSHOT_MAX_HEIGHT = 6000  # px: the top of a very long page (the API reference) says enough, and quickly

# page -> who makes it fit a phone (issue 18): their tables get phone layouts in their own branches.
PENDING_OVERFLOW: dict[str, str] = {}
# (page, size) -> who fixes the axe violations that come from their table structure.
PENDING_AXE: dict[tuple[str, str], str] = {}


@pytest.fixture(scope="module")
def tour(migrated, browser):
    """Loads every page at both sizes once; returns {(visit name, size): what was found} and the time it took."""
    app = create_app({**CONFIG, "SQLALCHEMY_DATABASE_URI": migrated, "WTF_CSRF_ENABLED": True})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{server.server_port}"
    directory = Path(os.environ.get("SCREENSHOT_DIR") or tempfile.mkdtemp(prefix="angelcx-tour-"))
    directory.mkdir(parents=True, exist_ok=True)
    try:
        with app.app_context():
            accounts = _accounts()
            started = time.monotonic()
            found = {}
            for size, viewport in SIZES.items():
                found.update(_tour_at(browser, app, base, size, viewport, accounts, directory))
            seconds = time.monotonic() - started
            (directory / "tour.json").write_text(json.dumps(
                {f"{name} {size}": {**result, "screenshot": result["screenshot"].name}
                 for (name, size), result in found.items()}, indent=1))
            yield {"found": found, "seconds": seconds, "directory": directory}
    finally:
        server.shutdown()
        thread.join(timeout=5)
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        _empty_tables(migrated)


def _accounts() -> dict:
    from dashboard.demo.seed import seed_demo
    from dashboard.models import Customer

    seed_demo(DEMO_PASSWORD, echo=lambda *_: None)
    demo = db.session.scalar(db.select(Customer).where(Customer.email == "demo@example.com"))
    newcomer = factories.make_customer(name="Newcomer Bakery", email="newcomer@example.com", with_contract=False,
                                       onboarding_step="profile")
    db.session.commit()
    return {"populated": ("demo@example.com", DEMO_PASSWORD, url_values(demo)),
            "newcomer": (newcomer.customer_id, newcomer.email, factories.PASSWORD)}


def _tour_at(browser, app, base, size, viewport, accounts, directory) -> dict:
    context = browser.new_context(viewport=viewport)
    context.add_init_script(path=str(AXE))  # in every document, past the pages' CSP (no inline script needed)
    page = context.new_page()
    page.set_default_timeout(15_000)
    found, signed_in_as = {}, None
    newcomer_id, newcomer_email, newcomer_password = accounts["newcomer"]
    email, password, values = accounts["populated"]
    for visit in VISITS:
        who = {"signed-out": None, "onboarding": "newcomer", "empty": "newcomer", "populated": "demo"}[visit.state]
        if who != signed_in_as:
            context.clear_cookies()
            if who:
                _sign_in(page, base, *((newcomer_email, newcomer_password) if who == "newcomer" else (email, password)))
            signed_in_as = who
        if visit.state in ("onboarding", "empty"):
            _newcomer_at(app, newcomer_id, visit.endpoint)
        with app.test_request_context():
            from flask import url_for

            url = url_for(visit.endpoint, **arguments_for(visit.endpoint, visit.arguments, values))
        found[(visit.name, size)] = _look_at(page, base + url, directory / f"{size}-{visit.state}-{visit.endpoint}.png",
                                             check_width=size == "phone",
                                             exclude=THIRD_PARTY.get(visit.endpoint, (None,))[0])
    context.close()
    return found


def _sign_in(page, base, email, password):
    page.goto(f"{base}/auth/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("button[type=submit]")


def _newcomer_at(app, customer_id, endpoint):
    """The newcomer at the onboarding step `endpoint` shows, or done with it (and paid: plan chosen)."""
    from dashboard.auth.onboarding_steps import STEP_ENDPOINTS
    from dashboard.billing.entitlements import active_contract
    from dashboard.models import Customer

    customer = db.session.get(Customer, customer_id)
    step = next((step for step, shown in STEP_ENDPOINTS.items() if shown == endpoint), "done")
    contract = active_contract(customer_id)
    if step in ("agent", "done") and contract is None:
        factories.make_contract(customer)
    elif step in ("profile", "plan") and contract is not None:  # a paid plan would move the newcomer past it
        db.session.delete(contract)
    customer.onboarding_step = step
    db.session.commit()


def _look_at(page, url, screenshot: Path, check_width: bool, exclude: str | None) -> dict:
    clock = [time.monotonic()]
    response = page.goto(url, wait_until="load")
    page.wait_for_function("() => !document.querySelector('.htmx-request')")
    clock.append(time.monotonic())
    result = {"url": url, "status": response.status if response else None, "final_url": page.url}
    result["violations"] = page.evaluate(AXE_RUN, [AXE_TAGS, sorted(FAILING_IMPACTS), sorted(FAILING_RULES), exclude])
    result["overflow"] = page.evaluate(OVERFLOW) if check_width else None
    clock.append(time.monotonic())
    height = min(page.evaluate("document.documentElement.scrollHeight"), SCREENSHOT_MAX_HEIGHT)
    page.screenshot(path=str(screenshot), full_page=True, clip={"x": 0, "y": 0, "width": page.viewport_size["width"],
                                                                "height": height})
    clock.append(time.monotonic())
    result["screenshot"] = screenshot
    result["ms"] = {step: round(1000 * (clock[i + 1] - clock[i])) for i, step in enumerate(("load", "axe", "screenshot"))}
    return result


def _pending(table, key):
    reason = table.get(key)
    return [pytest.mark.xfail(strict=True, reason=reason)] if reason else []


@pytest.mark.parametrize("visit_name,size", [
    pytest.param(visit.name, size, id=f"{visit.name}-{size}", marks=_pending(PENDING_AXE, (visit.name, size)))
    for visit in VISITS for size in SIZES])
def test_no_serious_accessibility_violation(tour, visit_name, size):
    result = tour["found"][(visit_name, size)]
    assert result["status"] == 200, f"{visit_name} answered {result['status']} ({result['url']})"
    assert result["final_url"] == result["url"], f"{visit_name} sent the browser on to {result['final_url']}"
    problems = [f"{v['id']} ({v['impact']}, {v['nodes']} elements: {v['help']}) on {visit_name} at {size}: "
                + "; ".join(v["targets"]) + f" (first: {v['first']})" for v in result["violations"]]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("visit_name", [
    pytest.param(visit.name, id=visit.name, marks=_pending(PENDING_OVERFLOW, visit.name)) for visit in VISITS])
def test_nothing_is_wider_than_a_phone(tour, visit_name):
    overflow = tour["found"][(visit_name, "phone")]["overflow"]
    assert overflow is None, (f"{visit_name} is {overflow['scrollWidth']} px wide on a {overflow['width']} px phone: "
                              + ", ".join(overflow["culprits"]))


def test_every_page_is_screenshot_at_both_sizes_and_the_tour_is_quick(tour):
    shots = {result["screenshot"] for result in tour["found"].values()}
    assert len(shots) == len(VISITS) * len(SIZES) and all(shot.stat().st_size > 1000 for shot in shots)
    print(f"\npage tour: {len(shots)} page views in {tour['seconds']:.1f} s; screenshots in {tour['directory']}")
    assert tour["seconds"] < 180, f"the tour took {tour['seconds']:.0f} s"
