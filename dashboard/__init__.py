"""The AngelCX Dashboard: create_app() builds the Flask application."""
from __future__ import annotations

import os
from pathlib import Path

from dotenv import load_dotenv
from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from dashboard.config import cache_settings, load_config
from dashboard.extensions import cache, csrf, db, htmx, limiter, login_manager, mail, migrate, oauth
from dashboard.logging_setup import configure_logging

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None) -> Flask:
    if os.environ.get("FLASK_SKIP_DOTENV") != "1":
        load_dotenv(ROOT / ".env")
    app = Flask(
        __name__,
        instance_path=str(Path(os.environ.get("INSTANCE_PATH", ROOT / "instance")).resolve()),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    app.config.update(load_config(Path(app.instance_path)))
    app.config.update(config or {})
    for name, value in cache_settings(app.config["REDIS_URL"]).items():
        app.config.setdefault(name, value)
    configure_logging(app)  # first, so the request id is bound before any other extension's hooks

    if app.config["TRUSTED_PROXY_COUNT"]:
        # Honour X-Forwarded-* only from proxies we were told about.
        n = app.config["TRUSTED_PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n, x_host=n)

    _init_extensions(app)
    _register_blueprints(app)

    from dashboard import cli, errors, fragments, input_guard, shared_caching, templating
    shared_caching.install(app)  # /widget/* and /static/* never read or write the session: CDNs may keep them
    input_guard.install(app)    # after Talisman: an error page the guard causes still carries the headers
    errors.register(app)
    fragments.register(app)
    cli.register(app)
    templating.register(app)
    return app


def _init_extensions(app: Flask) -> None:
    from dashboard import error_tracking, jobs, metrics, models, security_headers  # noqa: F401  (models: every table)

    error_tracking.init_app(app)  # Sentry when SENTRY_DSN is set
    metrics.init_app(app)         # request latency for /metrics
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), compare_type=True, render_as_batch=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    oauth.init_app(app)
    htmx.init_app(app)
    limiter.init_app(app)
    mail.init_app(app)
    cache.init_app(app)
    security_headers.install(app)  # Talisman: CSP with nonces, framing, nosniff, referrer, HSTS
    jobs.init_app(app)


def _register_blueprints(app: Flask) -> None:
    """The whole URL map: every blueprint, its URL prefix beside it, from the lowest domain up."""
    from dashboard import (
        agents,
        analytics,
        api,
        auth,
        billing,
        conversations,
        core,
        crm,
        emails,
        integrations,
        onboarding,
        teams,
        webhooks_out,
    )
    from dashboard.api.converters import CONVERTERS
    from dashboard.billing.webhooks import bp as stripe_webhooks
    from dashboard.conversations.chat.routes import chat_bp
    from dashboard.conversations.webhook_routes import webhooks as ultravox_webhooks
    from dashboard.ids import BoundedIntegerConverter

    app.url_map.converters.update(CONVERTERS, int=BoundedIntegerConverter)
    for blueprint in (
        auth.bp,                # /auth: sign-in and sign-out
        auth.settings_bp,       # /settings: business profile, API keys
        billing.bp,             # /billing: plans, checkout, contract and usage
        stripe_webhooks,        # /webhooks/stripe
        agents.bp,              # /agents: the list and the builder
        agents.widget_bp,       # /widget/<token>/...: the public widget's endpoints (any origin)
        agents.widget_assets_bp,  # /static/js/widget.js (the loader) and /static/widget/widget.<hash>.js
        integrations.bp,        # /integrations: the app catalog, the OAuth callback, the apps' tool endpoint
        integrations.agent_bp,  # /agents/<id>/integrations/<slug>/connect|disconnect
        conversations.bp,       # /conversations: list, transcript, export
        ultravox_webhooks,      # /webhooks/ultravox
        chat_bp,                # /widget/<token>/chat: the widget's live chat (any origin), replies streamed
        emails.bp,              # /emails: templates and the send log
        analytics.bp,           # /analytics
        crm.bp,                 # /leads
        webhooks_out.bp,        # /settings/webhooks: outgoing webhook endpoints and their deliveries
        onboarding.bp,          # /onboarding: profile → plan → first agent
        teams.bp,               # /settings/members, /settings/audit, /invitations/<token>: members, roles, audit log
        teams.account_bp,       # /settings/account, /password/forgot, /password/reset/<token>: a member's own account
        api.bp,                 # /api/v1: the JSON API (API keys)
        api.docs_bp,            # /api/v1/openapi.json and /api/docs: the published contract (no key)
        core.bp,                # /, /healthz, /readyz, /metrics
    ):
        app.register_blueprint(blueprint)
