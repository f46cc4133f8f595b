"""Rate limits for the doors attackers knock on: login, registration and tokens.

The limits are read from config at request time (LOGIN_RATE_LIMIT, LOGIN_ADDRESS_RATE_LIMIT,
REGISTER_RATE_LIMIT), so an installation tunes them without code; RATELIMIT_ENABLED=False
turns them off.

Counters live in the platform's own database by default (``RATELIMIT_STORAGE_URI =
"lms-database://"``, ``DatabaseStorage`` below): every gunicorn worker of every server
that shares the database counts against the same budget, where an in-memory store gives each
worker a budget of its own. Another store of the ``limits`` library (``redis://…``) may
still be configured instead.
"""

from __future__ import annotations

import hashlib
import random
import time
from collections.abc import Callable
from typing import Any, TypeVar, cast

from flask import current_app, request
from flask_limiter.util import get_remote_address
from limits.storage import Storage
from sqlalchemy import Column, Float, Integer, String, Table, case, delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from lms.auth.services import normalize_email
from lms.extensions import db, limiter

F = TypeVar("F", bound=Callable[..., Any])


def _login_limit() -> str:
    return str(current_app.config["LOGIN_RATE_LIMIT"])


def _login_address_limit() -> str:
    return str(current_app.config["LOGIN_ADDRESS_RATE_LIMIT"])


def _register_limit() -> str:
    return str(current_app.config["REGISTER_RATE_LIMIT"])


def _address_and_account() -> str:
    """The client's address and the account it tries (the email as typed, in lower case),
    from the login form or the token request's JSON body."""
    email: Any = ""
    if request.is_json:
        body = request.get_json(silent=True)
        email = body.get("email", "") if isinstance(body, dict) else ""
    else:
        email = request.form.get("email", "")
    account = normalize_email(email)[:254] if isinstance(email, str) else ""
    return f"{get_remote_address()}/{account}"


# Signing in is limited twice. Tries at one account from one address are held to
# LOGIN_RATE_LIMIT (password guessing); everything from one address to
# LOGIN_ADDRESS_RATE_LIMIT, set higher because a ministry or field office signs its whole
# cohort in from one public address on a deadline morning (trying many accounts from one
# address is still capped there). The login form and the token request share both budgets.
_login_per_account = limiter.shared_limit(
    _login_limit, scope="login", key_func=_address_and_account, methods=["POST"]
)
_login_per_address = limiter.shared_limit(
    _login_address_limit, scope="login-address", methods=["POST"]
)


def login_limit(view: F) -> F:
    """Both login limits on a view."""
    return cast(F, _login_per_account(_login_per_address(view)))


register_limit = limiter.shared_limit(_register_limit, scope="register", methods=["POST"])


# One row per rate-limit window in progress: the limit and client it counts (Flask-Limiter's
# key), the hits so far and when the window ends (seconds since the epoch, as the limits
# library keeps time).
counters = Table(
    "rate_limit_counters",
    db.metadata,
    Column("key", String(255), primary_key=True),
    Column("hits", Integer, nullable=False),
    Column("expires_at", Float, nullable=False),
)

# Each increment also clears the windows that ended, once in this many (a few rows a minute
# per client that knocks: the table stays small without a job of its own).
PURGE_ONE_IN = 50


class DatabaseStorage(Storage):
    """A ``limits`` storage on the platform's database (SQLite or PostgreSQL).

    Each call runs on a connection of its own and commits at once: a hit counts even when
    the request that made it fails (a refused login is exactly what must count), and never
    waits for the request's own transaction. An increment is one statement (an upsert that
    restarts a window that ended and returns the new count), so concurrent hits from
    several workers are all counted.
    """

    STORAGE_SCHEME = ["lms-database"]

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return SQLAlchemyError

    @staticmethod
    def _engine() -> Engine:
        return db.engine  # the app handling the request: every call runs inside one

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        key = _stored(key)
        now = time.time()
        engine = self._engine()
        dialect = engine.dialect.name
        insert = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(counters)
        ended = counters.c.expires_at <= now
        statement = (
            insert.values(key=key, hits=amount, expires_at=now + expiry)
            .on_conflict_do_update(
                index_elements=[counters.c.key],
                set_={  # a window that ended starts again with this hit
                    "hits": case((ended, amount), else_=counters.c.hits + amount),
                    "expires_at": case((ended, now + expiry), else_=counters.c.expires_at),
                },
            )
            .returning(counters.c.hits)
        )
        with engine.begin() as connection:
            hits = connection.execute(statement).scalar_one()
            if random.randrange(PURGE_ONE_IN) == 0:
                connection.execute(delete(counters).where(counters.c.expires_at <= now))
        return int(hits)

    def get(self, key: str) -> int:
        key = _stored(key)
        with self._engine().connect() as connection:
            hits = connection.execute(
                select(counters.c.hits).where(
                    counters.c.key == key, counters.c.expires_at > time.time()
                )
            ).scalar()
        return int(hits or 0)

    def get_expiry(self, key: str) -> float:
        key = _stored(key)
        now = time.time()
        with self._engine().connect() as connection:
            expires_at = connection.execute(
                select(counters.c.expires_at).where(
                    counters.c.key == key, counters.c.expires_at > now
                )
            ).scalar()
        return float(expires_at if expires_at is not None else now)

    def check(self) -> bool:
        try:
            with self._engine().connect() as connection:
                connection.execute(select(1))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with self._engine().begin() as connection:
            return int(connection.execute(delete(counters)).rowcount)

    def clear(self, key: str) -> None:
        key = _stored(key)
        with self._engine().begin() as connection:
            connection.execute(delete(counters).where(counters.c.key == key))


def _stored(key: str) -> str:
    """The key as stored: as it is, or, past the column's 255 characters (a long address
    from a proxy header), its start and a digest of the whole."""
    if len(key) <= 255:
        return key
    return key[:190] + "#" + hashlib.sha256(key.encode()).hexdigest()  # 255 characters
