"""Security headers on every response (flask-talisman): a nonce-based CSP, no framing, nosniff, referrer, HSTS."""
from __future__ import annotations

from flask import Flask

from dashboard.extensions import talisman

# Scripts: our own files and, for an inline block, this response's nonce; no 'unsafe-inline', no eval.
# Styles keep 'unsafe-inline': templates set data-driven style attributes (meter widths, agent colours) and the
# widget draws its panel with a <style> in its Shadow DOM. A style cannot run code; a script can.
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self' 'unsafe-inline'",
    "img-src": "'self' data: https:",  # widget avatars may be any https URL
    "connect-src": "'self'",
    "font-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "frame-ancestors": "'none'",
}
NO_POWERFUL_FEATURES = {"microphone": "()", "camera": "()", "geolocation": "()", "payment": "()", "usb": "()"}

# The widget's test page stands in for a customer's site: its call needs the microphone, and the Ultravox
# client talks to the call's media servers (https and wss, hosts known only when the call starts).
WIDGET_TEST_PAGE = {
    "content_security_policy": {**CONTENT_SECURITY_POLICY, "connect-src": "'self' https: wss:",
                                "media-src": "'self' blob: mediastream:"},
    "permissions_policy": {**NO_POWERFUL_FEATURES, "microphone": "(self)"},
}
# The builder's widget preview: the real widget in a frame of the builder page itself (same origin only).
WIDGET_PREVIEW_FRAME = {
    "content_security_policy": {**CONTENT_SECURITY_POLICY, "frame-ancestors": "'self'"},
    "frame_options": "SAMEORIGIN",
}
# An uploaded file shown as itself and nothing more: even a browser that took it for HTML would run no script.
UPLOADED_FILE = {"content_security_policy": {"default-src": "'none'", "img-src": "'self'", "sandbox": ""}}


def install(app: Flask) -> None:
    """Every response gets the headers. HTTPS is the proxy's job (TLS ends there): no redirects here, and HSTS
    only when the site says it is served over HTTPS (SESSION_COOKIE_SECURE)."""
    secure = bool(app.config.get("SESSION_COOKIE_SECURE"))
    talisman.init_app(
        app,
        force_https=False,
        content_security_policy=CONTENT_SECURITY_POLICY,
        content_security_policy_nonce_in=["script-src"],
        frame_options="DENY",
        referrer_policy="strict-origin-when-cross-origin",
        permissions_policy=NO_POWERFUL_FEATURES,
        strict_transport_security=secure,
        strict_transport_security_include_subdomains=False,
        x_xss_protection=False,  # retired by browsers; the CSP does this job
        session_cookie_secure=secure,
        session_cookie_samesite=app.config.get("SESSION_COOKIE_SAMESITE") or "Lax",
    )
