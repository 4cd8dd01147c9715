"""Configuration from environment variables prefixed ``OUTREACH_``.

| variable | meaning | default |
|---|---|---|
| OUTREACH_ENV | ``development`` or ``production`` | development |
| OUTREACH_DATABASE_URL | SQLAlchemy URL (sqlite:///… or postgresql://…) | SQLite file in instance/ |
| OUTREACH_SECRET_KEY | signs sessions and CSRF tokens (≥ 32 chars in production) | generated (development) |
| OUTREACH_ENCRYPTION_KEYS | Fernet keys for protected fields, newest first, comma-separated | generated (development) |
| OUTREACH_BASE_URL | public URL used in e-mailed links | http://127.0.0.1:5000 |
| OUTREACH_MAIL_SERVER / _PORT / _USERNAME / _PASSWORD / _STARTTLS / _SSL / _FROM | SMTP | unset: a mail outbox |
| OUTREACH_INVITE_TTL_HOURS | how long an invitation link stays valid | 168 |
| OUTREACH_PASSWORD_RESET_TTL_MINUTES | how long a password-reset link stays valid | 60 |
| OUTREACH_PASSWORD_RESET_MAX_PER_ACCOUNT | reset links one address may be asked for per login cooldown window | 5 |
| OUTREACH_MAX_CONTENT_LENGTH | largest accepted request body, bytes | 16 MiB |
| OUTREACH_CALENDAR_PAST_DAYS / _FUTURE_DAYS | what calendar feeds and downloads hold around today | 90 / 548 |
| OUTREACH_CALENDAR_FEED_LIMIT | requests per feed per ten minutes, per web process (0: none) | 60 |
| OUTREACH_RESOURCE_MAX_UPLOAD | largest file uploaded to the practice hub, bytes | 10 MiB |
| OUTREACH_HUB_RATE_LIMIT | requests per minute per address on the public hub (0: off) | 120 |
| OUTREACH_SQLITE_BUSY_TIMEOUT_MS | how long SQLite waits for another writer's lock | 5000 |
| OUTREACH_OUTBOX_LEASE_SECONDS | how long a worker's claim on an outbox row lasts before another takes it over | 300 |
"""
from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any
from collections.abc import Mapping

from cryptography.fernet import Fernet

PACKAGE_DIR = Path(__file__).resolve().parent
#: A checkout keeps templates/, static/, migrations/ and alembic.ini beside the package; an installed
#: wheel carries them inside it (setup.py).
INSTALLED = (PACKAGE_DIR / "alembic.ini").is_file()
#: Where templates/, static/, migrations/ and alembic.ini are read from.
RESOURCE_ROOT = PACKAGE_DIR if INSTALLED else PACKAGE_DIR.parent
MIN_SECRET_LENGTH = 32


class ConfigError(RuntimeError):
    """The configuration cannot run safely."""


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _persisted_secret(instance: Path, name: str, make: Any) -> str:
    path = instance / name
    if path.exists():
        return path.read_text().strip()
    instance.mkdir(parents=True, exist_ok=True)
    value = make()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(value)
    return value


def load_config(env: Mapping[str, str] | None = None, overrides: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Build the app's configuration from the environment; *overrides* (tests, tools) win."""
    env = os.environ if env is None else env
    overrides = dict(overrides or {})

    def get(key: str, default: Any = None) -> Any:
        if key in overrides:
            return overrides[key]
        return env.get(f"OUTREACH_{key}", default)

    # instance/ sits in the checkout when run from one, in the working directory when installed.
    instance = Path(get("INSTANCE_PATH") or (Path.cwd() if INSTALLED else RESOURCE_ROOT) / "instance")
    mode = get("ENV", "development")
    if mode not in {"development", "production"}:
        raise ConfigError(f"OUTREACH_ENV must be 'development' or 'production', not {mode!r}.")
    production = mode == "production"

    secret = get("SECRET_KEY")
    if production:
        if not secret or len(secret) < MIN_SECRET_LENGTH:
            raise ConfigError(
                f"OUTREACH_SECRET_KEY must be set to at least {MIN_SECRET_LENGTH} random characters in production."
            )
    elif not secret:
        secret = _persisted_secret(instance, "secret_key", lambda: secrets.token_urlsafe(48))

    keys = get("ENCRYPTION_KEYS")
    if isinstance(keys, (list, tuple)):
        keys = ",".join(keys)
    if not keys:
        if production:
            raise ConfigError("OUTREACH_ENCRYPTION_KEYS must be set in production (Fernet keys, newest first).")
        keys = _persisted_secret(instance, "encryption_keys", lambda: Fernet.generate_key().decode())

    database_url = get("DATABASE_URL") or f"sqlite:///{instance / 'outreach.db'}"
    settings = {
        "ENV_MODE": mode,
        "INSTANCE_PATH": str(instance),
        "SECRET_KEY": secret,
        "ENCRYPTION_KEYS": [k.strip() for k in keys.split(",") if k.strip()],
        "DATABASE_URL": database_url,
        "BASE_URL": get("BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        "MAIL_SERVER": get("MAIL_SERVER"),
        "MAIL_PORT": int(get("MAIL_PORT", "587")),
        "MAIL_USERNAME": get("MAIL_USERNAME"),
        "MAIL_PASSWORD": get("MAIL_PASSWORD"),
        "MAIL_STARTTLS": _bool(get("MAIL_STARTTLS"), True),
        "MAIL_SSL": _bool(get("MAIL_SSL"), False),
        "MAIL_FROM": get("MAIL_FROM", "Outreach <outreach@localhost>"),
        "MAIL_OUTBOX_DIR": str(instance / "mail-outbox"),
        "INVITE_TTL_HOURS": int(get("INVITE_TTL_HOURS", "168")),
        "PASSWORD_RESET_TTL_MINUTES": int(get("PASSWORD_RESET_TTL_MINUTES", "60")),
        # Reset requests go through the sign-in throttle (same pair and address rules); the account budget is
        # tighter, since each request may send an e-mail to its owner.
        "PASSWORD_RESET_MAX_PER_ACCOUNT": int(get("PASSWORD_RESET_MAX_PER_ACCOUNT", "5")),
        "MAX_CONTENT_LENGTH": int(get("MAX_CONTENT_LENGTH", str(16 * 1024 * 1024))),
        #: How long a SQLite writer waits for another's lock before giving up ("database is locked").
        "SQLITE_BUSY_TIMEOUT_MS": int(get("SQLITE_BUSY_TIMEOUT_MS", "5000")),
        #: How long a worker's claim on an outbox row lasts before another worker may take it over.
        "OUTBOX_LEASE_SECONDS": int(get("OUTBOX_LEASE_SECONDS", "300")),
        "ARGON2_PROFILE": get("ARGON2_PROFILE", "default"),
        # calendar feeds and downloads: the window around today
        "CALENDAR_PAST_DAYS": int(get("CALENDAR_PAST_DAYS", "90")),
        "CALENDAR_FUTURE_DAYS": int(get("CALENDAR_FUTURE_DAYS", "548")),
        # requests per feed per ten minutes in each web process (0: no limit; the benchmark sets it)
        "CALENDAR_FEED_LIMIT": int(get("CALENDAR_FEED_LIMIT", "60")),
        # One (account, address) pair: free attempts, then growing delays up to the cooldown.
        "LOGIN_FREE_FAILURES_PER_PAIR": int(get("LOGIN_FREE_FAILURES_PER_PAIR", "3")),
        # Looser budgets per account and per address; a correct password from an address the account
        # signed in from before still passes them, so a stranger cannot lock anyone out.
        "LOGIN_MAX_FAILURES_PER_ACCOUNT": int(get("LOGIN_MAX_FAILURES_PER_ACCOUNT", "50")),
        "LOGIN_MAX_FAILURES_PER_IP": int(get("LOGIN_MAX_FAILURES_PER_IP", "100")),
        # the practice hub: largest uploaded file, and requests per minute per address on the public pages (0: off)
        "RESOURCE_MAX_UPLOAD": int(get("RESOURCE_MAX_UPLOAD", str(10 * 1024 * 1024))),
        "HUB_RATE_LIMIT": int(get("HUB_RATE_LIMIT", "120")),
        "LOGIN_COOLDOWN_MINUTES": int(get("LOGIN_COOLDOWN_MINUTES", "15")),
        "PROXIES": int(get("PROXIES", "0")),  #: reverse proxies in front (ProxyFix); 0: none
        "SESSION_COOKIE_SECURE": production,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_NAME": "outreach_session",
        "REMEMBER_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_NAME": "outreach_remember",
        "REMEMBER_COOKIE_DURATION": 14 * 24 * 3600,
        "PERMANENT_SESSION_LIFETIME": 12 * 3600,
        "WTF_CSRF_TIME_LIMIT": 8 * 3600,
        "BABEL_DEFAULT_LOCALE": "en",
        "BABEL_DEFAULT_TIMEZONE": "UTC",
        #: "en" reads dates the house way (Sat 28 Nov 2026, 14:30); the others as their readers write them.
        "LANGUAGES": {"en": "English", "en_US": "English (United States)"},
        "PREFERRED_URL_SCHEME": "https" if production else "http",
    }
    settings.update(overrides)
    settings["SECRET_KEY"], settings["ENCRYPTION_KEYS"] = secret, [k.strip() for k in keys.split(",") if k.strip()]
    settings["INSTANCE_PATH"], settings["DATABASE_URL"] = str(instance), database_url
    return settings
