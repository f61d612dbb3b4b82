"""Settings read from the environment; a malformed value stops start-up naming the variable."""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from urllib.parse import urlparse

from cryptography.fernet import Fernet
from sqlalchemy.engine import make_url


class ConfigError(RuntimeError):
    """A setting in the environment cannot be used as given."""


def _url(name: str, schemes: tuple[str, ...]) -> str | None:
    value = os.environ.get(name, "").strip()
    if not value:
        return None
    parsed = urlparse(value)
    if parsed.scheme not in schemes or not parsed.netloc:
        raise ConfigError(f"{name} must be a URL starting with {' or '.join(s + '://' for s in schemes)}; got {value!r}")
    return value.rstrip("/")


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number; got {value!r}") from None


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ConfigError(f"{name} must be true or false; got {value!r}")


def _database_url(instance_path: Path) -> str:
    value = os.environ.get("DATABASE_URL", "").strip()
    if not value:
        return f"sqlite:///{instance_path / 'angelcx.sqlite3'}"
    if value.startswith("postgres://"):  # Heroku-style URLs name no driver
        value = "postgresql+psycopg://" + value[len("postgres://"):]
    try:
        url = make_url(value)
    except Exception:
        raise ConfigError(f"DATABASE_URL is not a database URL; got {value!r}") from None
    if url.get_backend_name() not in {"sqlite", "postgresql"}:
        raise ConfigError(f"DATABASE_URL must be SQLite or PostgreSQL; got {url.get_backend_name()!r}")
    return value


def _secret_key(instance_path: Path) -> str:
    """SECRET_KEY from the environment, else one generated once into instance/."""
    value = os.environ.get("SECRET_KEY", "").strip()
    if value:
        if len(value) < 16:
            raise ConfigError("SECRET_KEY must be at least 16 characters long")
        return value
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _fernet_key(name: str) -> str | None:
    value = os.environ.get(name, "").strip()
    if not value:
        return None
    try:
        Fernet(value.encode())
    except Exception:
        raise ConfigError(f"{name} must be a Fernet key (32 url-safe base64-encoded bytes)") from None
    return value


def _choice(name: str, choices: tuple[str, ...]) -> str | None:
    value = os.environ.get(name, "").strip().lower()
    if value and value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}; got {value!r}")
    return value or None


def load_config(instance_path: Path) -> dict:
    """Every setting the app reads, validated."""
    instance_path.mkdir(parents=True, exist_ok=True)
    redis_url = _url("REDIS_URL", ("redis", "rediss", "unix"))
    mail_port = _int("MAIL_PORT", 25)
    if not 0 < mail_port < 65536:
        raise ConfigError(f"MAIL_PORT must be a port number; got {mail_port}")
    return {
        "SECRET_KEY": _secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": _database_url(instance_path),
        # hide_parameters: SQL errors never carry bind values (names, emails, message content) into logs.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, "hide_parameters": True},
        # JSON lines unless DEBUG/TESTING (readable console then); LOG_FORMAT=json or console forces one.
        "LOG_FORMAT": _choice("LOG_FORMAT", ("json", "console")),
        "MAX_CONTENT_LENGTH": _int("MAX_CONTENT_LENGTH", 8 * 1024 * 1024),
        "COGNITO_ISSUER": _url("COGNITO_ISSUER", ("https", "http")),
        "COGNITO_CLIENT_ID": os.environ.get("COGNITO_CLIENT_ID") or None,
        "COGNITO_CLIENT_SECRET": os.environ.get("COGNITO_CLIENT_SECRET") or None,
        "COGNITO_DOMAIN": _url("COGNITO_DOMAIN", ("https", "http")),
        "COGNITO_SCOPE": os.environ.get("COGNITO_SCOPE") or "openid email profile",
        "LOCAL_LOGIN_ENABLED": _bool("LOCAL_LOGIN_ENABLED", True),
        "LOGIN_RATE_LIMIT": os.environ.get("LOGIN_RATE_LIMIT") or "10 per minute",
        "SESSION_IDLE_MINUTES": _int("SESSION_IDLE_MINUTES", 30),
        "SESSION_MAX_HOURS": _int("SESSION_MAX_HOURS", 12),
        "STRIPE_SECRET_KEY": os.environ.get("STRIPE_SECRET_KEY") or None,
        "STRIPE_API_BASE": _url("STRIPE_API_BASE", ("https", "http")) or "https://api.stripe.com",
        "STRIPE_WEBHOOK_SECRET": os.environ.get("STRIPE_WEBHOOK_SECRET") or None,
        "ULTRAVOX_API_KEY": os.environ.get("ULTRAVOX_API_KEY") or None,
        "ULTRAVOX_API_BASE": _url("ULTRAVOX_API_BASE", ("https", "http")) or "https://api.ultravox.ai",
        "ULTRAVOX_WEBHOOK_SECRET": os.environ.get("ULTRAVOX_WEBHOOK_SECRET") or None,
        "REDIS_URL": redis_url,
        # Rate limits are shared by every worker through Redis; when Redis cannot be reached each
        # process counts in memory until it answers again, so sign-in never fails for want of a counter.
        "RATELIMIT_STORAGE_URI": redis_url or "memory://",
        "RATELIMIT_STORAGE_OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "RATELIMIT_SWALLOW_ERRORS": True,
        # Background jobs (dashboard/jobs): attempts before a job is dead, the backoff between them
        # (base · 2^(n-1) seconds, capped), how long a worker holds a job, and how often the worker sweeps.
        "JOBS_MAX_ATTEMPTS": _int("JOBS_MAX_ATTEMPTS", 8),
        "JOBS_RETRY_BASE_SECONDS": _int("JOBS_RETRY_BASE_SECONDS", 30),
        "JOBS_RETRY_CAP_SECONDS": _int("JOBS_RETRY_CAP_SECONDS", 3600),
        "JOBS_LEASE_SECONDS": _int("JOBS_LEASE_SECONDS", 300),
        "JOBS_HANDOVER_SECONDS": _int("JOBS_HANDOVER_SECONDS", 120),
        "JOBS_SWEEP_SECONDS": _int("JOBS_SWEEP_SECONDS", 10),
        "EMAIL_MAX_ATTEMPTS": _int("EMAIL_MAX_ATTEMPTS", 6),  # a follow-up email's tries before it is "failed"
        "ANALYSIS_LLM_URL": _url("ANALYSIS_LLM_URL", ("https", "http")),
        "ANALYSIS_LLM_API_KEY": os.environ.get("ANALYSIS_LLM_API_KEY") or None,
        "ANALYSIS_LLM_MODEL": os.environ.get("ANALYSIS_LLM_MODEL") or "gpt-4o-mini",
        "MAIL_SERVER": os.environ.get("MAIL_SERVER") or None,
        "MAIL_PORT": mail_port,
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS", False),
        "MAIL_USE_SSL": _bool("MAIL_USE_SSL", False),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER") or "no-reply@angelcx.local",
        "MAIL_OUTBOX_DIR": str(instance_path / "outbox"),
        "TOKEN_ENCRYPTION_KEY": _fernet_key("TOKEN_ENCRYPTION_KEY"),
        # Operations: /metrics answers only with `Authorization: Bearer METRICS_TOKEN` (404 without the setting);
        # errors go to Sentry when SENTRY_DSN is set.
        "METRICS_TOKEN": os.environ.get("METRICS_TOKEN") or None,
        "SENTRY_DSN": _url("SENTRY_DSN", ("https", "http")),
        "SENTRY_ENVIRONMENT": os.environ.get("SENTRY_ENVIRONMENT") or "production",
        "TRUSTED_PROXY_COUNT": _int("TRUSTED_PROXY_COUNT", 0),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": _bool("SESSION_COOKIE_SECURE", False),
        "PREFERRED_URL_SCHEME": "https" if _bool("SESSION_COOKIE_SECURE", False) else "http",
    }
