"""Rate limits for the doors attackers knock on: login, registration and tokens.

The limits are read from config at request time (LOGIN_RATE_LIMIT, REGISTER_RATE_LIMIT), so
an installation tunes them without code; RATELIMIT_ENABLED=False turns them off.
"""

from __future__ import annotations

from flask import current_app

from lms.extensions import limiter


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def _register_limit() -> str:
    return str(current_app.config["REGISTER_RATE_LIMIT"])


login_limit = limiter.shared_limit(_login_limit, scope="login", methods=["POST"])
register_limit = limiter.shared_limit(_register_limit, scope="register", methods=["POST"])
