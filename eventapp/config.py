"""Configuration: defaults here, every secret and URL from the environment."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

PACKAGE_ROOT = Path(__file__).resolve().parent  # templates, static files, fonts, print templates, migrations
# Where the database, the secret key and finished job files live: `instance/` of the folder the app is
# started from, unless EVENTAPP_INSTANCE says otherwise (an installed wheel runs from any folder).
INSTANCE_DIR = Path(os.environ.get("EVENTAPP_INSTANCE") or Path.cwd() / "instance").resolve()
MIGRATIONS_DIR = PACKAGE_ROOT / "migrations"


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_list(name: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, "").split(",") if item.strip()]


def _env_count(name: str) -> int:
    raw = os.environ.get(name, "").strip() or "0"
    if not raw.isdigit():
        raise RuntimeError(f"{name} must be a whole number (how many proxies set that header), not {raw!r}")
    return int(raw)


# How many proxies in front of the app set each X-Forwarded-* header (werkzeug's ProxyFix). 0: not believed.
PROXY_FIX_SETTINGS = ("PROXY_FIX_X_FOR", "PROXY_FIX_X_PROTO", "PROXY_FIX_X_HOST", "PROXY_FIX_X_PORT",
                      "PROXY_FIX_X_PREFIX")
DEVELOPMENT_ENVIRONMENTS = ("development", "testing")
LOCAL_HOSTS = ("localhost", "127.0.0.1")  # werkzeug cannot match an IPv6 literal in TRUSTED_HOSTS


def proxy_fix_counts_from_environment() -> dict[str, int]:
    return {name: _env_count(name) for name in PROXY_FIX_SETTINGS}


def trusted_hosts_from_environment() -> list[str]:
    """TRUSTED_HOSTS: more host names this site answers to, comma-separated (".example.jp" for subdomains)."""
    return _env_list("TRUSTED_HOSTS")


def _development_secret_key() -> str:
    """Created once in instance/ so sessions survive restarts on a developer's machine."""
    INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
    key_file = INSTANCE_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


class Config:
    ENV_NAME = os.environ.get("EVENTAPP_ENV", "development")
    SECRET_KEY = os.environ.get("SECRET_KEY") or None
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'eventapp.sqlite3'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    MAIL_URL = os.environ.get("MAIL_URL") or None  # smtp://user:pass@host:port, smtps://..., smtp+starttls://...
    MAIL_FROM = os.environ.get("MAIL_FROM", "合同交流会事務局 <noreply@eventapp.example.jp>")
    # Set only if the relay at MAIL_URL offers SMTPUTF8: forms then accept addresses like 山田@example.jp.
    MAIL_SMTPUTF8 = _env_bool("MAIL_SMTPUTF8", False)
    REDIS_URL = os.environ.get("REDIS_URL") or None
    JOBS_IMMEDIATE = _env_bool("JOBS_IMMEDIATE", False)
    JOBS_SQLITE_PATH = str(INSTANCE_DIR / "jobs.sqlite3")
    JOB_FILES_DIR = os.environ.get("JOB_FILES_DIR", str(INSTANCE_DIR / "job-files"))  # finished PDFs
    # A registrations export longer than this is made by a background job (with progress) instead of at once.
    EXPORT_JOB_THRESHOLD = int(os.environ.get("EXPORT_JOB_THRESHOLD", 2000))
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")  # required outside development
    EXTRA_TRUSTED_HOSTS = trusted_hosts_from_environment()  # besides PUBLIC_BASE_URL's host
    PROXY_FIX_X_FOR = _env_count("PROXY_FIX_X_FOR")
    PROXY_FIX_X_PROTO = _env_count("PROXY_FIX_X_PROTO")
    PROXY_FIX_X_HOST = _env_count("PROXY_FIX_X_HOST")
    PROXY_FIX_X_PORT = _env_count("PROXY_FIX_X_PORT")
    PROXY_FIX_X_PREFIX = _env_count("PROXY_FIX_X_PREFIX")

    BABEL_DEFAULT_LOCALE = "ja"
    BABEL_DEFAULT_TIMEZONE = "Asia/Tokyo"
    LANGUAGES = ("ja", "en")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", True)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    REMEMBER_COOKIE_HTTPONLY = True
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 12
    WTF_CSRF_TIME_LIMIT = 60 * 60 * 6
    # Our pages send no Referer (Referrer-Policy: no-referrer keeps private links from leaking), so Flask-WTF's
    # HTTPS-only "Referer must be this site" check would refuse every form. The CSRF token and the
    # SameSite=Lax session cookie remain.
    WTF_CSRF_SSL_STRICT = False

    # Private "my registration" links are signed and expire.
    MANAGE_LINK_MAX_AGE = int(os.environ.get("MANAGE_LINK_MAX_AGE", 60 * 60 * 24 * 180))
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or (
        REDIS_URL or "memory://"
    )
    # Only for a deployment where one single process serves every request: limits kept in its memory.
    RATELIMIT_SINGLE_PROCESS = _env_bool("RATELIMIT_SINGLE_PROCESS", False)
    RATELIMIT_HEADERS_ENABLED = True
    # Redis down: count in this process's memory until it is back, rather than fail logins and registrations.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATELIMIT_SWALLOW_ERRORS = True
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")
    # Per client address. An office (or a mobile carrier) puts many people behind one address; a person
    # typing the form sends at most a few a minute, a script sent 912 in 20 s. See README.
    REGISTRATION_RATE_LIMIT = os.environ.get("REGISTRATION_RATE_LIMIT", "20 per minute;100 per hour")
    RESEND_RATE_LIMIT = os.environ.get("RESEND_RATE_LIMIT", "5 per 10 minutes")  # mailing an address again
    # Per scanner (device token): a door scans about once a second; a queue sent after an outage is paced by
    # the scanner on 429 (Retry-After). Requests with no token share their address's budget.
    CHECKIN_RATE_LIMIT = os.environ.get("CHECKIN_RATE_LIMIT", "600 per minute")
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024


class DevelopmentConfig(Config):
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE


class TestConfig(Config):
    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    JOBS_IMMEDIATE = True
    RATELIMIT_STORAGE_URI = "memory://"
    MAIL_URL = None
    PUBLIC_BASE_URL = ""
    EXTRA_TRUSTED_HOSTS: list[str] = []
    PROXY_FIX_X_FOR = PROXY_FIX_X_PROTO = PROXY_FIX_X_HOST = PROXY_FIX_X_PORT = PROXY_FIX_X_PREFIX = 0


def config_for_environment() -> type[Config]:
    return DevelopmentConfig if Config.ENV_NAME in DEVELOPMENT_ENVIRONMENTS else Config


def is_production(config: Any) -> bool:
    """Anything but EVENTAPP_ENV=development (or the test suite's "testing") is run as production."""
    return config.get("ENV_NAME") not in DEVELOPMENT_ENVIRONMENTS


def resolve_settings(config: dict) -> None:
    """What follows from the settings once every override is in; refuses to start on what production lacks."""
    resolve_secret_key(config)
    _check_public_base_url(config)
    _check_rate_limit_storage(config)
    _check_proxy_counts(config)
    config["TRUSTED_HOSTS"] = _trusted_hosts(config)
    config["SQLALCHEMY_ENGINE_OPTIONS"] = _engine_options(config)


def resolve_secret_key(config: dict) -> None:
    if config.get("SECRET_KEY"):
        return
    if not is_production(config) or config.get("TESTING"):
        config["SECRET_KEY"] = _development_secret_key()
        return
    raise RuntimeError("SECRET_KEY must be set in the environment outside development")


def _check_public_base_url(config: dict) -> None:
    value = (config.get("PUBLIC_BASE_URL") or "").strip()
    config["PUBLIC_BASE_URL"] = value
    if not value and not is_production(config):
        return  # development: mailed links may use the request's host
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RuntimeError(
            "PUBLIC_BASE_URL must be the site's public address, e.g. https://event.example.jp/ "
            f"(got {value!r}). Outside development (EVENTAPP_ENV={config.get('ENV_NAME')!r}) it is required: "
            "the links in e-mails are built from it, never from the Host header a client sends.")


def _check_rate_limit_storage(config: dict) -> None:
    if not is_production(config) or config.get("RATELIMIT_SINGLE_PROCESS"):
        return
    if str(config.get("RATELIMIT_STORAGE_URI") or "memory://").startswith("memory://"):
        raise RuntimeError(
            "Rate limits (login, registration) would be kept in each process's memory, so every worker would "
            "allow the full amount. Set REDIS_URL (or RATELIMIT_STORAGE_URI, e.g. redis://host:6379/1) to share "
            "them, or RATELIMIT_SINGLE_PROCESS=1 if exactly one process serves every request.")


def _check_proxy_counts(config: dict) -> None:
    for name in PROXY_FIX_SETTINGS:
        value = config.get(name, 0)
        if not isinstance(value, int) or value < 0:
            raise RuntimeError(f"{name} must be a whole number (how many proxies set that header), not {value!r}")


def _trusted_hosts(config: dict) -> list[str] | None:
    """Flask's TRUSTED_HOSTS: the public host and TRUSTED_HOSTS; localhost too in development. None (any
    host) only in development without PUBLIC_BASE_URL, where links may follow the request's host anyway."""
    if config.get("TRUSTED_HOSTS") is not None:
        return config["TRUSTED_HOSTS"]
    public_host = urlsplit(config.get("PUBLIC_BASE_URL") or "").hostname
    hosts = ([public_host] if public_host else []) + list(config.get("EXTRA_TRUSTED_HOSTS") or [])
    if hosts and not is_production(config):
        hosts += LOCAL_HOSTS
    return hosts or None


def _engine_options(config: dict) -> dict:
    options = dict(config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if str(config.get("SQLALCHEMY_DATABASE_URI", "")).startswith("postgresql"):
        # After a restart of PostgreSQL every pooled connection is dead: test each before use, so no
        # request fails for it.
        options.setdefault("pool_pre_ping", True)
    return options
