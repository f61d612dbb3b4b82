"""Page or fragment, and HTMX redirects: decided in one place, with Vary naming what the answer depended on."""
import pytest
from jinja2 import DictLoader

from dashboard.access import public
from dashboard.fragments import hx_redirect, render_page_or_fragment

HTMX = {"HX-Request": "true"}


@pytest.fixture
def client(make_app):
    app = make_app()
    app.jinja_loader = DictLoader({"page.html": "PAGE {{ name }} {{ extra }}", "rows.html": "ROWS {{ name }}",
                                   "results.html": "RESULTS {{ name }}"})

    def extra():
        return {"extra": "page-only"}

    @app.get("/one", endpoint="one")
    @public
    def one():
        return render_page_or_fragment("page.html", "rows.html", {"name": "n"}, page_context=extra)

    @app.get("/by-target", endpoint="by_target")
    @public
    def by_target():
        return render_page_or_fragment("page.html", {"rows": "rows.html", "results": "results.html"},
                                       {"name": "n"}, status=202)

    @app.post("/done", endpoint="done")
    @public
    def done():
        return hx_redirect("/next", 303)

    return app.test_client()


def test_a_plain_load_gets_the_page_with_its_page_only_context(client):
    response = client.get("/one")
    assert response.get_data(as_text=True) == "PAGE n page-only"
    assert "HX-Request" in vary(response) and "HX-Target" not in vary(response)


def test_an_htmx_request_gets_the_fragment_and_a_boosted_one_the_page(client):
    assert client.get("/one", headers=HTMX).get_data(as_text=True) == "ROWS n"
    boosted = client.get("/one", headers={**HTMX, "HX-Boosted": "true"})
    assert boosted.get_data(as_text=True) == "PAGE n page-only"


def test_the_target_picks_the_fragment_and_vary_says_so(client):
    rows = client.get("/by-target", headers={**HTMX, "HX-Target": "rows"})
    assert rows.status_code == 202 and rows.get_data(as_text=True) == "ROWS n"
    assert client.get("/by-target", headers={**HTMX, "HX-Target": "results"}).get_data(as_text=True) == "RESULTS n"
    other = client.get("/by-target", headers={**HTMX, "HX-Target": "elsewhere"})
    assert other.get_data(as_text=True).startswith("PAGE")
    assert {"HX-Request", "HX-Target"} <= vary(other)


def test_hx_redirect_is_a_header_for_htmx_and_a_redirect_otherwise(client):
    htmx = client.post("/done", headers=HTMX)
    assert htmx.status_code == 200 and htmx.headers["HX-Redirect"] == "/next" and "Location" not in htmx.headers
    plain = client.post("/done")
    assert plain.status_code == 303 and plain.headers["Location"] == "/next" and "HX-Redirect" not in plain.headers
    assert "HX-Request" in vary(plain) and "HX-Request" in vary(htmx)


def vary(response) -> set[str]:
    return {value.strip() for value in response.headers.get("Vary", "").split(",")}
