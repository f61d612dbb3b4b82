"""What lets browsers and CDNs keep public answers: no session on public paths, and one Cache-Control/ETag helper."""
from __future__ import annotations

from flask import Flask, Request, Response, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface

# Answers under these paths are the same for everyone: they never read the browser's session or write one.
# Without this, Flask-Login's after_request hook reads the session on every response, which makes Flask add
# `Vary: Cookie`, and a CDN then keeps one copy per visitor's cookies (that is, none worth keeping).
COOKIE_FREE_PATH_PREFIXES = ("/widget/", "/static/")


class CookieFreeSession(SecureCookieSession):
    """An empty session that is never saved: reads find nothing, writes are dropped with the request."""


class CookieFreePathsSessionInterface(SecureCookieSessionInterface):
    """The usual signed-cookie session, except on COOKIE_FREE_PATH_PREFIXES: no cookie read, none written, no Vary."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if request.path.startswith(COOKIE_FREE_PATH_PREFIXES):
            return CookieFreeSession()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SecureCookieSession, response: Response) -> None:
        if isinstance(session, CookieFreeSession):
            return None  # not even `Vary: Cookie`: the answer did not depend on one
        return super().save_session(app, session, response)


def install(app: Flask) -> None:
    """Public paths get the cookie-free session; every other path keeps its signed-cookie session as before."""
    app.session_interface = CookieFreePathsSessionInterface()


def cacheable(response: Response, cache_control: str, etag: str | None = None) -> Response:
    """`response` with `Cache-Control` and an ETag (of its body unless given), answered 304 on a matching If-None-Match.

    A 304 keeps the ETag and Cache-Control, so a cache that revalidated keeps its copy for another max-age.
    """
    response.headers["Cache-Control"] = cache_control
    if etag is None:
        response.add_etag()  # a hash of the body: the same answer always has the same tag, on every machine
    else:
        response.set_etag(etag)
    return response.make_conditional(request)
