"""The Flask extensions, created unbound and initialised in create_app()."""
from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import TypeVar

from authlib.integrations.flask_client import OAuth
from flask import request
from flask_caching import Cache
from flask_htmx import HTMX
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_talisman import Talisman
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Deterministic constraint names, so migrations can alter them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
oauth = OAuth()
htmx = HTMX()
limiter = Limiter(key_func=get_remote_address, default_limits=[])
mail = Mail()
talisman = Talisman()  # configured by dashboard/security_headers.py
cache = Cache()  # Redis when REDIS_URL is set, else each process's memory (config._cache)

T = TypeVar("T")
log = logging.getLogger(__name__)


def remember(key: str, compute: Callable[[], T], timeout: int | None = None) -> T:
    """The cached value for `key`, else compute() stored for `timeout` seconds.

    The cache is an optimisation: when it cannot be read or written (Redis down) the value is computed,
    so a cache outage slows pages, never breaks them. Errors from compute() are not cached.
    """
    try:
        value = cache.get(key)
    except Exception as error:  # any backend failure (connection, timeout, unreadable entry)
        log.warning("cache read failed for %s: %s", key.split(":")[0], type(error).__name__)
        value = None
    if value is not None:
        return value
    value = compute()
    try:
        cache.set(key, value, timeout=timeout)
    except Exception as error:
        log.warning("cache write failed for %s: %s", key.split(":")[0], type(error).__name__)
    return value


def url_token() -> str:
    """Rate-limit key: the URL's `token` (hashed, so a long forged one costs the store no more than a real one)."""
    token = (request.view_args or {}).get("token", "")
    return hashlib.blake2b(token.encode(), digest_size=12).hexdigest()


def url_token_and_address() -> str:
    """Rate-limit key: the URL's token with the client's address, so one site's visitors behind one office or
    carrier address share a budget, and their other sites' budgets (and other addresses') are untouched."""
    return f"{url_token()}@{get_remote_address()}"
