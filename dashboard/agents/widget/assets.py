"""The widget's scripts for customers' sites: the small loader at the snippet's stable URL and the hashed bundle it adds.

Customers have pasted `…/static/js/widget.js`, so that URL must stay, and must not be cached for long (a new
release has to reach every site). The widget itself is `static/widget/widget.js`; at start-up each process
hashes it and serves it at `/static/widget/widget.<sha256-12>.js`, cached for a year as `immutable`. The loader
(the file at static/js/widget.js with the bundle's path filled in) is served by a view of its own that wins
over the static route for that one path, cached 5 minutes. No build step: every machine running the same
code computes the same hash, and a new bundle is a new URL, so no cache ever holds a stale one.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from flask import Blueprint, current_app, redirect, url_for

from dashboard.access import public
from dashboard.shared_caching import cacheable

LOADER_FILE = "js/widget.js"
BUNDLE_FILE = "widget/widget.js"
BUNDLE_PATH_PLACEHOLDER = '"__WIDGET_BUNDLE_PATH__"'
LOADER_CACHE_CONTROL = "public, max-age=300"
BUNDLE_CACHE_CONTROL = "public, max-age=31536000, immutable"
DIGEST_LENGTH = 12

widget_assets_bp = Blueprint("widget_assets", __name__)


@dataclass(frozen=True)
class WidgetScripts:
    """The loader's bytes (with the bundle's path in it) and the bundle's bytes and digest, read once per process."""

    loader: bytes
    bundle: bytes
    digest: str


def read_widget_scripts(static_folder: str) -> WidgetScripts:
    """Hash the bundle and fill its path into the loader."""
    bundle = (Path(static_folder) / BUNDLE_FILE).read_bytes()
    digest = hashlib.sha256(bundle).hexdigest()[:DIGEST_LENGTH]
    loader = (Path(static_folder) / LOADER_FILE).read_text()
    if BUNDLE_PATH_PLACEHOLDER not in loader:
        raise RuntimeError(f"static/{LOADER_FILE} lost its {BUNDLE_PATH_PLACEHOLDER} placeholder")
    loader = loader.replace(BUNDLE_PATH_PLACEHOLDER, json.dumps(f"/static/widget/widget.{digest}.js"))
    return WidgetScripts(loader=loader.encode(), bundle=bundle, digest=digest)


@widget_assets_bp.record_once
def _read_at_start_up(state) -> None:
    state.app.extensions["widget_scripts"] = read_widget_scripts(state.app.static_folder)


def _scripts() -> WidgetScripts:
    return current_app.extensions["widget_scripts"]


def _script_response(body: bytes, cache_control: str):
    response = current_app.response_class(body, mimetype="text/javascript")
    # A plain <script> needs neither, but a site that isolates itself (COEP) or uses `crossorigin` does.
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return cacheable(response, cache_control)


@widget_assets_bp.get("/static/js/widget.js")
@public
def loader():
    return _script_response(_scripts().loader, LOADER_CACHE_CONTROL)


@widget_assets_bp.get("/static/widget/widget.<digest>.js")
@public
def bundle(digest: str):
    scripts = _scripts()
    if digest != scripts.digest:
        # A loader from before a release (cached up to 5 minutes) asks for the old bundle: send it to today's,
        # and let no cache keep the detour.
        response = redirect(url_for("widget_assets.bundle", digest=scripts.digest), 302)
        response.headers["Cache-Control"] = "no-store"
        return response
    return _script_response(scripts.bundle, BUNDLE_CACHE_CONTROL)
