"""The widget at internet scale: a briefly cached loader, a year-cached hashed bundle, and a config CDNs may keep."""
import hashlib
import re
from pathlib import Path

import pytest

from dashboard.agents.widget.operations import widget_token
from dashboard.billing.entitlements import entitlements
from dashboard.extensions import db
from tests import factories

STATIC = Path(__file__).resolve().parents[2] / "static"
BUNDLE_URL = re.compile(r'new URL\("(/static/widget/widget\.([0-9a-f]{12})\.js)", script\.src\)')
COLOURED = {"bot_name": "Ava", "color": "#0b7a75"}


def bundle_path(client) -> str:
    return BUNDLE_URL.search(client.get("/static/js/widget.js").get_data(as_text=True)).group(1)


def assert_shareable(response):
    """Nothing in the answer ties it to one browser, so a CDN may give it to every visitor."""
    assert "Set-Cookie" not in response.headers
    assert "cookie" not in response.headers.get("Vary", "").lower()


@pytest.fixture
def coloured_agent(customer):
    agent = factories.make_agent(customer, name="Front Desk", ui_config=COLOURED)
    db.session.commit()
    return agent


def test_the_snippets_url_serves_a_small_loader_cached_five_minutes(client):
    response = client.get("/static/js/widget.js")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert response.headers["ETag"] and len(response.data) < 2000
    assert "attachShadow" not in body and "eval(" not in body and "__WIDGET_BUNDLE_PATH__" not in body
    assert_shareable(response)
    assert client.get("/static/js/widget.js", headers={"If-None-Match": response.headers["ETag"]}).status_code == 304


def test_the_loader_names_the_bundle_by_the_hash_of_its_content(client):
    digest = BUNDLE_URL.search(client.get("/static/js/widget.js").get_data(as_text=True)).group(2)
    assert digest == hashlib.sha256((STATIC / "widget" / "widget.js").read_bytes()).hexdigest()[:12]


def test_the_hashed_bundle_is_the_widget_cached_for_a_year_and_immutable(client):
    response = client.get(bundle_path(client))
    assert response.status_code == 200 and response.mimetype == "text/javascript"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.data == (STATIC / "widget" / "widget.js").read_bytes()
    assert b"attachShadow" in response.data and b"ultravox-client-0.5.0.min.js" in response.data
    assert b"eval(" not in response.data and b"new Function" not in response.data  # a site's CSP may forbid both
    assert response.headers["Cross-Origin-Resource-Policy"] == "cross-origin"
    assert_shareable(response)


def test_an_old_bundle_hash_is_sent_to_the_current_bundle_and_the_detour_is_not_cached(client):
    response = client.get("/static/widget/widget.0123456789ab.js")
    assert response.status_code == 302 and response.headers["Location"] == bundle_path(client)
    assert response.headers["Cache-Control"] == "no-store"


def test_the_config_carries_an_etag_and_may_be_kept_a_minute_by_any_cache(client, coloured_agent):
    response = client.get(f"/widget/{widget_token(coloured_agent)}/config")
    assert response.status_code == 200 and response.json["color"] == "#0b7a75"
    assert response.headers["Cache-Control"] == "public, max-age=60, stale-while-revalidate=600"
    assert re.fullmatch(r'"[0-9a-f]{40}"', response.headers["ETag"])
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert_shareable(response)


def test_a_signed_in_owners_config_request_sets_no_cookie_and_varies_on_none(login_as, customer, coloured_agent):
    signed_in = login_as(customer)  # holds a session cookie, as the owner previewing the widget does
    response = signed_in.get(f"/widget/{widget_token(coloured_agent)}/config")
    assert response.status_code == 200
    assert_shareable(response)
    assert signed_in.get(f"/agents/{coloured_agent.agent_id}").status_code == 200  # the session itself is intact


def test_a_matching_if_none_match_is_answered_304_with_the_same_caching(client, coloured_agent):
    url = f"/widget/{widget_token(coloured_agent)}/config"
    etag = client.get(url).headers["ETag"]
    revalidated = client.get(url, headers={"If-None-Match": etag})
    assert revalidated.status_code == 304 and revalidated.data == b""
    assert revalidated.headers["ETag"] == etag
    assert revalidated.headers["Cache-Control"] == "public, max-age=60, stale-while-revalidate=600"
    assert revalidated.headers["Access-Control-Allow-Origin"] == "*"
    assert_shareable(revalidated)
    assert client.get(url, headers={"If-None-Match": '"something-else"'}).status_code == 200


def test_a_plan_change_changes_the_etag_so_visitors_get_the_new_look(client, customer, coloured_agent):
    url = f"/widget/{widget_token(coloured_agent)}/config"
    before = client.get(url).headers["ETag"]
    access = entitlements(customer.customer_id)
    access.customize_bot_color = False  # downgraded: the colour is no longer the business's own
    db.session.commit()
    after = client.get(url, headers={"If-None-Match": before})
    assert after.status_code == 200 and after.json["color"] == "#4b3fd6"
    assert after.headers["ETag"] != before
