"""Full page or HTMX fragment, and redirects HTMX follows: one decision for every route."""
from __future__ import annotations

from collections.abc import Callable, Mapping

from flask import Flask, Response, g, make_response, redirect, render_template

from dashboard.extensions import htmx


def wants_fragment(target: str | None = None) -> bool:
    """True for an HTMX request that is not a boosted navigation (and, given `target`, swaps into that element).

    A boosted link or form is a navigation: it needs the whole page, like a plain load of the URL.
    """
    _consulted("HX-Request", *(["HX-Target"] if target else []))
    if not htmx or htmx.boosted:
        return False
    return target is None or htmx.target == target


def fragment_for(fragment: str | Mapping[str, str] | None) -> str | None:
    """The fragment template this request gets, or None when it gets the full page.

    `fragment` may map HX-Target ids to templates: the request's target picks one, and a target not
    in the map gets the page.
    """
    if fragment is None or not wants_fragment():
        return None
    if isinstance(fragment, Mapping):
        _consulted("HX-Target")
        return fragment.get(htmx.target or "")
    return fragment


def render_page_or_fragment(page: str, fragment: str | Mapping[str, str] | None, context: Mapping, *,
                            status: int = 200, headers: Mapping | None = None,
                            page_context: Callable[[], dict] | None = None) -> Response:
    """The fragment for an HTMX (non-boosted) request (see fragment_for), else the full `page`.

    Both get `context`; `page_context()` adds what only the page shows, and is called only for it, so a
    fragment request skips those queries. The answer says which request headers it depended on (Vary),
    so no cache hands a fragment to a full page load.
    """
    template = fragment_for(fragment)
    if template is None:
        template = page
        context = {**context, **(page_context() if page_context else {})}
    response = make_response(render_template(template, **context), status)
    response.headers.update(headers or {})
    return response


def hx_redirect(url: str, code: int = 302, htmx_status: int = 200) -> Response:
    """Send the browser to `url`: an `HX-Redirect` for HTMX (which would otherwise swap the target page into
    the fragment's place), else a plain redirect with `code` (303 after a POST whose result is elsewhere)."""
    _consulted("HX-Request")
    if htmx:
        return Response(status=htmx_status, headers={"HX-Redirect": url})
    return redirect(url, code)


def _consulted(*headers: str) -> None:
    """Remember which request headers chose this answer, for its Vary header."""
    g.setdefault("hx_vary", set()).update(headers)


def register(app: Flask) -> None:
    @app.after_request
    def vary_on_consulted_headers(response: Response) -> Response:
        # Only answers that looked at HTMX's headers differ by them: no cache hands a fragment to a page load,
        # and JSON API answers carry no Vary they do not need.
        for header in sorted(g.get("hx_vary", ())):
            if header not in response.vary:
                response.vary.add(header)
        return response
