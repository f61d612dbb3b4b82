"""A live server on loopback and Debian's chromium driven by Playwright."""
from __future__ import annotations

import shutil
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from dashboard import create_app
from dashboard.extensions import db
from tests import demo_snapshot

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).parent / "screenshots"
HERE = Path(__file__).parent


def pytest_collection_modifyitems(items):
    """Every test in this folder drives the browser: mark it `e2e`, so `-m "not e2e"` leaves them all out."""
    for item in items:
        if HERE in item.path.parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture
def live_server(app):
    """Serve `app` on a free port in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    # A short poll interval: shutdown() waits for the next poll (0.5 s by default) at the end of every test.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def demo_rows(migrated):
    """The rows `seed_demo` writes, seeded once per run (then the tables are emptied again)."""
    from tests.conftest import _empty_tables

    app = create_app({"SQLALCHEMY_DATABASE_URI": migrated, "TESTING": True, "SECRET_KEY": "test-secret-key-0123456789"})
    try:
        with app.app_context():
            rows = demo_snapshot.take()
            db.session.remove()
            db.engine.dispose()
    finally:
        _empty_tables(migrated)
    return rows


@pytest.fixture
def demo_login(app, demo_rows) -> tuple[str, str]:
    """The demo businesses in this test's database, as `flask seed-demo` leaves them; the demo's email and password."""
    return demo_snapshot.restore(demo_rows)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip("chromium is not installed (apt-get install chromium); .ci/run installs it")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = launch(playwright.chromium)
        yield browser
        browser.close()


def launch(browser_type, *extra_args: str):
    """Debian's chromium, headless, kept off the network it cannot reach here."""
    return browser_type.launch(
        executable_path=CHROMIUM,
        args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
              "--disable-component-update", "--disable-sync", "--no-first-run", *extra_args],
    )


@contextmanager
def new_page(browser):
    """A page in a fresh browser context (its own cookies), desktop-sized."""
    context = browser.new_context(viewport={"width": 1280, "height": 860})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def page(browser):
    with new_page(browser) as page:
        yield page


@pytest.fixture
def screenshot():
    """Save a full-page screenshot under tests/e2e/screenshots/ (git-ignored) for people to look at."""
    SCREENSHOTS.mkdir(exist_ok=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


def sign_in(page, base_url: str, email: str, password: str) -> None:
    page.goto(f"{base_url}/auth/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/")
