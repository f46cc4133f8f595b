"""Bench databases (SQLite files or PostgreSQL databases) and the learners in them.

A database is migrated and given both sample courses with the test suite's own `_prepare`,
then the bench course (`bench/courses/bench-quiz`: two lessons and a 20-question quiz with
unlimited attempts). Learners are written in-process (one shared password hash, so that
creating them costs no argon2 time), enrolled, and given a bearer token; a session cookie is
obtained later through the real login form.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine, make_url

from bench.server import SECRET_KEY
from lms import create_app
from lms.extensions import db
from tests.conftest import PASSWORD, _prepare

HERE = Path(__file__).resolve().parent
BENCH_COURSE = HERE / "courses" / "bench-quiz"
BENCH_COURSE_ID = "bench-quiz"
SAMPLE_COURSE_ID = "ctip-humanitarian"
__all__ = ["PASSWORD", "Databases", "Learner", "app_for", "create_learners"]


def app_config(uri: str) -> dict[str, Any]:
    return {
        "SECRET_KEY": SECRET_KEY,
        "SQLALCHEMY_DATABASE_URI": uri,
        "BASE_URL": "http://127.0.0.1",
        "RATELIMIT_ENABLED": False,
    }


@contextmanager
def app_for(uri: str) -> Iterator[Flask]:
    """An in-process app on the bench database (for setup, answers and checks)."""
    app = create_app(app_config(uri))
    try:
        yield app
    finally:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


class Databases:
    """Creates and drops the bench's databases: SQLite files, or PostgreSQL databases on the
    server of LMS_TEST_DATABASE_URL (the throwaway cluster of bench/postgres.sh)."""

    def __init__(self, folder: Path, pg_url: str) -> None:
        self.folder = folder
        self.pg_url = pg_url
        self._admin: Engine | None = None
        self.created: list[str] = []

    @property
    def has_postgres(self) -> bool:
        return bool(self.pg_url)

    def admin(self) -> Engine:
        if self._admin is None:
            self._admin = create_engine(self.pg_url, isolation_level="AUTOCOMMIT")
        return self._admin

    def empty(self, kind: str, name: str) -> str:
        """A new empty database; its SQLAlchemy URL."""
        if kind == "sqlite":
            path = self.folder / f"{name}.sqlite3"
            for stale in self.folder.glob(f"{name}.sqlite3*"):
                stale.unlink()
            return f"sqlite:///{path}"
        with self.admin().connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return make_url(self.pg_url).set(database=name).render_as_string(hide_password=False)

    def prepared(self, kind: str, name: str) -> str:
        """A migrated database with both sample courses and the bench course, published."""
        uri = self.empty(kind, name)
        _prepare(uri)
        with app_for(uri) as app, app.app_context():
            from lms.cli import import_path

            import_path(BENCH_COURSE, publish=True)
            db.session.commit()
        return uri

    def drop_all(self) -> None:
        if self._admin is None:
            return
        with self._admin.connect() as connection:
            for name in self.created:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self._admin.dispose()


@dataclass(frozen=True)
class Learner:
    user_id: int
    email: str
    token: str


def create_learners(uri: str, prefix: str, count: int, courses: list[str]) -> list[Learner]:
    """``count`` learners enrolled in ``courses``, each with a bearer token."""
    from lms.auth.models import User
    from lms.auth.passwords import hash_password
    from lms.auth.services import issue_token
    from lms.learn.services import enroll

    learners = []
    with app_for(uri) as app, app.app_context():
        shared_hash = hash_password(PASSWORD)
        for n in range(count):
            email = f"{prefix}-{n:03d}@bench.example.org"
            user = User(email=email, name=f"Bench {prefix} {n}", password_hash=shared_hash)
            db.session.add(user)
            db.session.flush()
            for course_id in courses:
                enroll(user, course_id)
            token, _expires = issue_token(user, 30)
            learners.append(Learner(user.id, email, token))
        db.session.commit()
    return learners


def scalar(uri: str, sql: str, **params: Any) -> Any:
    """One value from the bench database (for the checks after a run)."""
    with app_for(uri) as app, app.app_context():
        return db.session.execute(text(sql), params).scalar()


def rows(uri: str, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    with app_for(uri) as app, app.app_context():
        return [tuple(r) for r in db.session.execute(text(sql), params)]
