"""Configuration: defaults here (no secrets), then instance/config.py, then LMS_* variables.

Read only by ``create_app``; nothing here runs at import time beyond defining values.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any


class Defaults:
    """Default settings; every one can be overridden by instance/config.py or LMS_<KEY>."""

    SITE_NAME = "Learning Platform"
    ISSUER_NAME = "Learning Platform"
    BASE_URL = "http://127.0.0.1:5000"
    DEFAULT_LOCALE = "en"
    LANGUAGES = ["en", "es"]
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {}
    DB_PING_AFTER_IDLE = 2.0  # seconds a pooled connection may idle before it is pinged
    DB_LOCK_TIMEOUT = 10.0  # seconds a statement may wait for a lock before the request is a 503
    SQLALCHEMY_TRACK_MODIFICATIONS = False
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    WTF_CSRF_CHECK_DEFAULT = False  # checked in a before_request hook, skipped for bearer tokens
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    MAX_CONTENT_LENGTH = 200 * 1024 * 1024
    TOKEN_LIFETIME_DAYS = 30
    PASSWORD_MIN_LENGTH = 10
    PACKAGE_MAX_FILES = 5000
    PACKAGE_MAX_UNZIPPED_BYTES = 1024 * 1024 * 1024
    PER_PAGE_MAX = 100
    COURSES_DIR = str(Path(__file__).resolve().parent.parent / "courses")
    RATELIMIT_ENABLED = True
    # counters in the platform's database, shared by every worker and server (lms/ratelimits.py)
    RATELIMIT_STORAGE_URI = "lms-database://"
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = "10 per minute; 60 per hour"  # one account from one address
    LOGIN_ADDRESS_RATE_LIMIT = "60 per minute; 600 per hour"  # every account from one address
    REGISTER_RATE_LIMIT = "5 per minute; 30 per hour"
    PROXY_COUNT = 0  # how many reverse proxies set X-Forwarded-For in front of the app


def _coerce(raw: str) -> Any:
    """Read an environment value as JSON when it is JSON (numbers, booleans, lists), else text."""
    lowered = raw.strip()
    if lowered in {"True", "False"}:
        return lowered == "True"
    try:
        return json.loads(lowered)
    except ValueError:
        return raw


def environment_overrides(environ: dict[str, str] | os._Environ[str]) -> dict[str, Any]:
    """Every ``LMS_<KEY>`` variable as a config key; LMS_DATABASE_URL maps to SQLAlchemy's key."""
    found: dict[str, Any] = {}
    for name, raw in environ.items():
        if not name.startswith("LMS_") or name == "LMS_INSTANCE_PATH":
            continue
        key = name[4:]
        if key == "DATABASE_URL":
            found["SQLALCHEMY_DATABASE_URI"] = raw
        elif key == "SECRET_KEY":
            found["SECRET_KEY"] = raw
        else:
            found[key] = _coerce(raw)
    return found


def ensure_secret_key(instance_path: Path) -> str:
    """Read the instance's secret key, creating it on first run (one server only; share it
    through LMS_SECRET_KEY when several servers run)."""
    key_file = instance_path / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key
