"""Settings read from the environment; a malformed value stops start-up naming the variable."""
from __future__ import annotations

import os
import re
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


def _secret_key(instance_path: Path, database_url: str) -> str:
    """SECRET_KEY from the environment, else (SQLite only) one generated once into instance/."""
    value = os.environ.get("SECRET_KEY", "").strip()
    if value:
        if len(value) < 16:
            raise ConfigError("SECRET_KEY must be at least 16 characters long")
        return value
    if make_url(database_url).get_backend_name() == "postgresql":
        # A key generated per machine would sign cookies, widget tokens and CSRF tokens the others refuse.
        raise ConfigError("SECRET_KEY must be set when DATABASE_URL is PostgreSQL (production): every web and "
                          "worker machine needs the same key; e.g. python -c \"import secrets; "
                          "print(secrets.token_urlsafe(48))\"")
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
        for key in value.split(","):  # the first encrypts, every one decrypts (dashboard/encryption.py)
            Fernet(key.strip().encode())
    except Exception:
        raise ConfigError(f"{name} must be a Fernet key (32 url-safe base64-encoded bytes), or several "
                          "separated by commas (the new one first) while rotating") from None
    return value


def _integration_clients() -> dict[str, dict[str, str]]:
    """INTEGRATION_<SLUG>_CLIENT_ID and _CLIENT_SECRET pairs, by SLUG (a catalog slug upper-cased, "-" → "_")."""
    found: dict[str, dict[str, str]] = {}
    for name, value in os.environ.items():
        for suffix, key in (("_CLIENT_ID", "client_id"), ("_CLIENT_SECRET", "client_secret")):
            if name.startswith("INTEGRATION_") and name.endswith(suffix) and value.strip():
                found.setdefault(name[len("INTEGRATION_"):-len(suffix)], {})[key] = value.strip()
    for slug, pair in found.items():
        for key in ("client_id", "client_secret"):
            if key not in pair:
                raise ConfigError(f"INTEGRATION_{slug}_{key.upper()} must be set with INTEGRATION_{slug}_"
                                  f"{'CLIENT_SECRET' if key == 'client_id' else 'CLIENT_ID'}")
    return found


def _choice(name: str, choices: tuple[str, ...]) -> str | None:
    value = os.environ.get(name, "").strip().lower()
    if value and value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}; got {value!r}")
    return value or None


def _storage() -> dict:
    """Object storage: an S3 bucket when STORAGE_BUCKET is set (STORAGE_URL for a non-AWS endpoint), else instance/."""
    endpoint = _url("STORAGE_URL", ("https", "http"))
    bucket = os.environ.get("STORAGE_BUCKET", "").strip() or None
    key_id = os.environ.get("STORAGE_ACCESS_KEY_ID", "").strip() or None
    secret = os.environ.get("STORAGE_SECRET_ACCESS_KEY", "").strip() or None
    if endpoint and not bucket:
        raise ConfigError("STORAGE_BUCKET must be set when STORAGE_URL is: name the bucket uploads go to")
    if bucket and not re.fullmatch(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", bucket):
        raise ConfigError(f"STORAGE_BUCKET must be an S3 bucket name (3-63 lowercase letters, digits, '.', '-'); "
                          f"got {bucket!r}")
    if bool(key_id) != bool(secret):
        raise ConfigError("STORAGE_ACCESS_KEY_ID and STORAGE_SECRET_ACCESS_KEY must be set together "
                          "(or neither, for the default AWS credential chain)")
    return {"STORAGE_URL": endpoint, "STORAGE_BUCKET": bucket,
            "STORAGE_REGION": os.environ.get("STORAGE_REGION", "").strip() or "us-east-1",
            "STORAGE_ACCESS_KEY_ID": key_id, "STORAGE_SECRET_ACCESS_KEY": secret}


def cache_settings(redis_url: str | None) -> dict:
    """Flask-Caching: shared in Redis when REDIS_URL is set, else in each process's memory.

    Applied by create_app after any overrides, so an app given REDIS_URL directly caches there too.
    """
    if not redis_url:
        return {"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": 600}
    return {"CACHE_TYPE": "RedisCache", "CACHE_REDIS_URL": redis_url, "CACHE_KEY_PREFIX": "angelcx:cache:",
            "CACHE_DEFAULT_TIMEOUT": 600,
            # Half-second timeouts: a Redis outage costs a page that much, then it is computed (extensions.remember).
            "CACHE_OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}}


def load_config(instance_path: Path) -> dict:
    """Every setting the app reads, validated."""
    instance_path.mkdir(parents=True, exist_ok=True)
    redis_url = _url("REDIS_URL", ("redis", "rediss", "unix"))
    mail_port = _int("MAIL_PORT", 25)
    if not 0 < mail_port < 65536:
        raise ConfigError(f"MAIL_PORT must be a port number; got {mail_port}")
    database_url = _database_url(instance_path)
    return {
        **_storage(),
        "SECRET_KEY": _secret_key(instance_path, database_url),
        "SQLALCHEMY_DATABASE_URI": database_url,
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
        "PASSWORD_RESET_RATE_LIMIT": os.environ.get("PASSWORD_RESET_RATE_LIMIT") or "5 per 15 minutes",
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
        # A refusal says when to try again (Retry-After, in seconds), and limited routes say what is left
        # (X-RateLimit-Limit, -Remaining, -Reset), so scripts and the widget can wait instead of hammering.
        "RATELIMIT_HEADERS_ENABLED": True,
        # Background jobs (dashboard/jobs): attempts before a job is dead, the backoff between them
        # (base · 2^(n-1) seconds, capped), how long a worker holds a job, and how often the worker sweeps.
        "JOBS_MAX_ATTEMPTS": _int("JOBS_MAX_ATTEMPTS", 8),
        "WEBHOOK_ENDPOINTS_MAX": _int("WEBHOOK_ENDPOINTS_MAX", 10),
        "WEBHOOK_RETRY_HOURS": _int("WEBHOOK_RETRY_HOURS", 72),
        "JOBS_RETRY_BASE_SECONDS": _int("JOBS_RETRY_BASE_SECONDS", 30),
        "JOBS_RETRY_CAP_SECONDS": _int("JOBS_RETRY_CAP_SECONDS", 3600),
        "JOBS_LEASE_SECONDS": _int("JOBS_LEASE_SECONDS", 300),
        "JOBS_HANDOVER_SECONDS": _int("JOBS_HANDOVER_SECONDS", 120),
        "JOBS_SWEEP_SECONDS": _int("JOBS_SWEEP_SECONDS", 10),
        "EMAIL_MAX_ATTEMPTS": _int("EMAIL_MAX_ATTEMPTS", 6),  # a follow-up email's tries before it is "failed"
        # The widget's chat runtime: any OpenAI-compatible chat completions API (the base, e.g.
        # https://api.openai.com/v1). The analysis uses the same model unless ANALYSIS_LLM_* say otherwise.
        "CHAT_LLM_URL": _url("CHAT_LLM_URL", ("https", "http")),
        "CHAT_LLM_API_KEY": os.environ.get("CHAT_LLM_API_KEY") or None,
        "CHAT_LLM_MODEL": os.environ.get("CHAT_LLM_MODEL") or "gpt-4o-mini",
        "CHAT_IDLE_MINUTES": _int("CHAT_IDLE_MINUTES", 15),  # a chat with no message for this long ends
        "ANALYSIS_LLM_URL": _url("ANALYSIS_LLM_URL", ("https", "http")) or _url("CHAT_LLM_URL", ("https", "http")),
        "ANALYSIS_LLM_API_KEY": (os.environ.get("ANALYSIS_LLM_API_KEY") if os.environ.get("ANALYSIS_LLM_URL")
                                 else os.environ.get("CHAT_LLM_API_KEY")) or None,
        "ANALYSIS_LLM_MODEL": os.environ.get("ANALYSIS_LLM_MODEL") or os.environ.get("CHAT_LLM_MODEL") or "gpt-4o-mini",
        "MAIL_SERVER": os.environ.get("MAIL_SERVER") or None,
        "MAIL_PORT": mail_port,
        "MAIL_USE_TLS": _bool("MAIL_USE_TLS", False),
        "MAIL_USE_SSL": _bool("MAIL_USE_SSL", False),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER") or "no-reply@angelcx.local",
        "MAIL_OUTBOX_DIR": str(instance_path / "outbox"),
        "TOKEN_ENCRYPTION_KEY": _fernet_key("TOKEN_ENCRYPTION_KEY"),
        # Third-party apps' OAuth clients, by slug ("GOOGLE_CALENDAR": {"client_id", "client_secret"}).
        "INTEGRATION_CLIENTS": _integration_clients(),
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
