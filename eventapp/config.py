"""Configuration: defaults here, every secret and URL from the environment."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

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
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "")

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

    # Private "my registration" links are signed and expire.
    MANAGE_LINK_MAX_AGE = int(os.environ.get("MANAGE_LINK_MAX_AGE", 60 * 60 * 24 * 180))
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI") or (
        REDIS_URL or "memory://"
    )
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10 per minute")
    MAX_CONTENT_LENGTH = 8 * 1024 * 1024


class DevelopmentConfig(Config):
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", False)
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    JOBS_IMMEDIATE = True
    RATELIMIT_STORAGE_URI = "memory://"
    MAIL_URL = None


def config_for_environment() -> type[Config]:
    return DevelopmentConfig if Config.ENV_NAME == "development" else Config


def resolve_secret_key(config: dict) -> None:
    if config.get("SECRET_KEY"):
        return
    if config.get("ENV_NAME") == "development" or config.get("TESTING"):
        config["SECRET_KEY"] = _development_secret_key()
        return
    raise RuntimeError("SECRET_KEY must be set in the environment outside development")
