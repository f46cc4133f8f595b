"""Fixtures: the schema is migrated and the sample courses imported once per test process;
each test gets its own copy of that database file (or, on PostgreSQL, of that database)."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import settings

from lms import create_app
from lms.extensions import db

ROOT = Path(__file__).resolve().parent.parent
COURSES = ROOT / "courses"
PASSWORD = "correct horse battery"

settings.register_profile("ci", max_examples=60, deadline=None)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


def _config(uri: str, **extra: Any) -> dict[str, Any]:
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": uri,
        "BASE_URL": "http://lms.test",
        "RATELIMIT_ENABLED": False,
        **extra,
    }


POSTGRES_URL = os.environ.get("LMS_TEST_DATABASE_URL", "")
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")


def _compile_translations() -> None:
    """Compile the gettext catalogs when a .po file is newer than its .mo (as `make` does)."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po_path in (ROOT / "lms" / "translations").glob("*/LC_MESSAGES/messages.po"):
        mo_path = po_path.with_suffix(".mo")
        if not mo_path.exists() or mo_path.stat().st_mtime < po_path.stat().st_mtime:
            with po_path.open("rb") as po_file:
                catalog = read_po(po_file)
            partial = mo_path.with_suffix(f".{os.getpid()}.tmp")
            with partial.open("wb") as mo_file:
                write_mo(mo_file, catalog)
            partial.replace(mo_path)  # atomic, so a parallel test process never reads half a file


def _prepare(uri: str) -> None:
    """Migrate a fresh database and import the sample courses, published."""
    from flask_migrate import upgrade

    from lms.cli import import_path

    app = create_app(_config(uri))
    with app.app_context():
        upgrade()
        for course in sorted(p for p in COURSES.iterdir() if p.is_dir()):
            import_path(course, publish=True)
        db.session.commit()
        if db.engine.dialect.name == "sqlite":
            db.session.execute(db.text("PRAGMA wal_checkpoint(TRUNCATE)"))
        db.session.remove()
        db.engine.dispose()


class PostgresDatabases:
    """Databases on the server of LMS_TEST_DATABASE_URL: one template per test process,
    then a copy of it (CREATE DATABASE … TEMPLATE) for each test."""

    def __init__(self, url: str) -> None:
        from sqlalchemy import create_engine
        from sqlalchemy.engine import make_url

        self.url = make_url(url)
        self.admin = create_engine(self.url, isolation_level="AUTOCOMMIT", poolclass=None)
        self.template = f"lms_tpl_{WORKER}"
        self.count = 0

    def _run(self, sql: str) -> None:
        with self.admin.connect() as connection:
            connection.exec_driver_sql(sql)

    def uri(self, name: str) -> str:
        return self.url.set(database=name).render_as_string(hide_password=False)

    def create_template(self) -> None:
        self._run(f'DROP DATABASE IF EXISTS "{self.template}" WITH (FORCE)')
        self._run(f'CREATE DATABASE "{self.template}"')
        _prepare(self.uri(self.template))

    def copy(self) -> str:
        self.count += 1
        name = f"lms_t_{WORKER}_{self.count}"
        self._run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self._run(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        return name

    def drop(self, name: str) -> None:
        self._run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path | PostgresDatabases]:
    """The migrated database with both sample courses, built once per test process."""
    os.environ.setdefault("LMS_INSTANCE_PATH", str(tmp_path_factory.mktemp("instance")))
    _compile_translations()
    if POSTGRES_URL:
        databases = PostgresDatabases(POSTGRES_URL)
        databases.create_template()
        yield databases
        databases.drop(databases.template)
        databases.admin.dispose()
        return
    path = tmp_path_factory.mktemp("template") / "template.sqlite3"
    _prepare(f"sqlite:///{path}")
    yield path


@pytest.fixture
def database_uri(template_db: Path | PostgresDatabases, tmp_path: Path) -> Iterator[str]:
    """A fresh copy of the template database for one test."""
    if isinstance(template_db, PostgresDatabases):
        name = template_db.copy()
        yield template_db.uri(name)
        template_db.drop(name)
        return
    path = tmp_path / "lms.sqlite3"
    shutil.copyfile(template_db, path)
    yield f"sqlite:///{path}"


@pytest.fixture
def empty_database_uri(template_db: Path | PostgresDatabases, tmp_path: Path) -> Iterator[str]:
    """A database with no tables at all, for migration tests."""
    if isinstance(template_db, PostgresDatabases):
        template_db.count += 1
        name = f"lms_empty_{WORKER}_{template_db.count}"
        template_db.drop(name)
        template_db._run(f'CREATE DATABASE "{name}"')
        yield template_db.uri(name)
        template_db.drop(name)
        return
    yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"


@pytest.fixture
def make_app(database_uri: str) -> Iterator[Any]:
    """Build apps on the test's database with extra config; their connections close after."""
    made: list[Flask] = []

    def build(**extra: Any) -> Flask:
        application = create_app(_config(database_uri, **extra))
        made.append(application)
        return application

    yield build
    for application in made:
        with application.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(make_app: Any) -> Flask:
    return make_app()  # type: ignore[no-any-return]


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def csrf_token(html: str) -> str:
    """The CSRF token of the first form on a page."""
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', html
    )
    assert match, "no CSRF token on the page"
    return match.group(1)


def sign_in(app: Flask, email: str) -> FlaskClient:
    """A browser signed in through the /login form, as a person would."""
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    response = client.post(
        "/login", data={"csrf_token": csrf_token(page), "email": email, "password": PASSWORD}
    )
    assert response.status_code == 302
    return client


class Api:
    """A JSON client holding a bearer token."""

    def __init__(self, client: FlaskClient, token: str | None = None) -> None:
        self.client = client
        self.token = token

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def get(self, url: str, headers: dict[str, str] | None = None, **kw: Any) -> Any:
        return self.client.get(url, headers={**self._headers(), **(headers or {})}, **kw)

    def post(self, url: str, json: Any = None, **kw: Any) -> Any:
        return self.client.post(url, json=json, headers=self._headers(), **kw)

    def put(self, url: str, json: Any = None) -> Any:
        return self.client.put(url, json=json, headers=self._headers())

    def patch(self, url: str, json: Any = None) -> Any:
        return self.client.patch(url, json=json, headers=self._headers())

    def delete(self, url: str) -> Any:
        return self.client.delete(url, headers=self._headers())


def register_api(client: FlaskClient, email: str, name: str = "Ana Pérez") -> Api:
    response = client.post(
        "/api/v1/auth/register", json={"email": email, "password": PASSWORD, "name": name}
    )
    assert response.status_code == 201, response.get_json()
    token = client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
    assert token.status_code == 200
    return Api(client, token.get_json()["token"])


@pytest.fixture
def learner(client: FlaskClient) -> Api:
    return register_api(client, "ana@example.org", "Ana Pérez")


@pytest.fixture
def other_learner(app: Flask) -> Api:
    return register_api(app.test_client(), "luis@example.org", "Luis Gómez")


def make_user(app: Flask, email: str, role: str, name: str = "Staff Member") -> Api:
    from lms.auth.services import create_or_update_user

    with app.app_context():
        create_or_update_user(email, name, role, PASSWORD)
        db.session.commit()
    client = app.test_client()
    token = client.post("/api/v1/auth/token", json={"email": email, "password": PASSWORD})
    return Api(client, token.get_json()["token"])


@pytest.fixture
def admin(app: Flask) -> Api:
    return make_user(app, "admin@example.org", "admin", "Site Admin")


@pytest.fixture
def author(app: Flask) -> Api:
    return make_user(app, "author@example.org", "author", "Course Author")
