"""Transactions begin at the first write, reads run on their own, and a lost connection is
replaced or answered with a 503: never a half-stored request, never a 500 (lms/database.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, func, select
from sqlalchemy.engine import make_url

from lms.admin.models import AuditEvent
from lms.database import in_database_transaction
from lms.errors import InvalidInput
from lms.extensions import db
from tests.conftest import register_api
from tests.integration.test_lesson_page_body import COURSE, FIRST, _learner, _lesson


def _events() -> int:
    return int(db.session.scalar(select(func.count()).select_from(AuditEvent)) or 0)


def _add_event(action: str) -> None:
    db.session.add(AuditEvent(action=action, target="test", origin="127.0.0.1", details={}))
    db.session.flush()


def _with_test_routes(app: Flask) -> Flask:
    """Routes that write and then fail, or only read (registered for this test's app only)."""

    @app.post("/api/t/write-then-fail")
    def write_then_fail() -> str:
        _add_event("first")
        _events()  # a read between two writes
        _add_event("second")
        raise InvalidInput("refused after writing")

    @app.post("/api/t/write")
    def write() -> str:
        _add_event("kept")
        return "ok"

    @app.get("/api/t/read")
    def read() -> str:
        return str(_events())

    return app


@pytest.fixture
def traced(app: Flask) -> Iterator[list[tuple[str, bool]]]:
    """Every statement the app sends, with whether the driver held a transaction after it."""
    seen: list[tuple[str, bool]] = []

    def after(_c: Any, cursor: Any, statement: str, *_rest: Any) -> None:
        raw = cursor.connection
        status = getattr(getattr(raw, "info", None), "transaction_status", None)
        open_tx = int(status) != 0 if status is not None else bool(raw.in_transaction)
        seen.append((statement.split()[0].upper(), open_tx))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "after_cursor_execute", after)
    yield seen
    event.remove(engine, "after_cursor_execute", after)


def test_a_lesson_re_read_opens_no_transaction(app: Flask, traced: list[tuple[str, bool]]):
    ana = _learner(app, "Ana Pérez", "ana@example.org")
    _lesson(ana, FIRST)  # the first view writes
    assert any(open_tx for verb, open_tx in traced if verb in {"INSERT", "UPDATE"})
    traced.clear()
    _lesson(ana, FIRST)  # a re-read only reads
    assert traced and all(verb == "SELECT" for verb, _open in traced)
    assert not any(open_tx for _verb, open_tx in traced)


def test_a_request_that_fails_after_writing_stores_nothing(app: Flask):
    client = _with_test_routes(app).test_client()
    with app.app_context():
        before = _events()
    failed = client.post("/api/t/write-then-fail")
    assert failed.status_code == 400
    assert failed.get_json()["error"]["code"] == "invalid_input"
    assert client.get("/api/t/read").get_data(as_text=True) == str(before)
    assert client.post("/api/t/write").status_code == 200
    assert client.get("/api/t/read").get_data(as_text=True) == str(before + 1)


def test_a_write_and_the_reads_around_it_share_the_transaction(
    app: Flask, traced: list[tuple[str, bool]]
):
    client = _with_test_routes(app).test_client()
    client.post("/api/t/write-then-fail")
    verbs = [verb for verb, _open in traced]
    first_write = verbs.index("INSERT")
    # from the first write on, every statement ran inside the one transaction
    assert all(open_tx for _verb, open_tx in traced[first_write:])


def _terminate_other_connections(app: Flask) -> None:
    """Close the app's pooled PostgreSQL connections from the server side."""
    url = make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = %(name)s AND pid <> pg_backend_pid()",
            {"name": url.database},
        )
    admin.dispose()


def _postgres_only(app: Flask) -> None:
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("needs a database server whose connections can be closed")


def _connection_closed_while_pooled(make_app: Any, ping_after_idle: float) -> FlaskClient:
    """A signed-in learner whose server's pooled connections the database has since closed."""
    app = make_app(DB_PING_AFTER_IDLE=ping_after_idle)
    _postgres_only(app)
    ana = _learner(app, "Ana Pérez", "ana@example.org")
    _lesson(ana, FIRST)
    _terminate_other_connections(app)
    return ana


def test_an_idle_connection_closed_by_the_server_is_replaced(make_app: Any):
    ana = _connection_closed_while_pooled(make_app, ping_after_idle=0)
    assert ana.get(f"/courses/{COURSE}/lessons/{FIRST}").status_code == 200


def test_a_connection_lost_without_warning_is_a_503_then_recovers(make_app: Any):
    ana = _connection_closed_while_pooled(make_app, ping_after_idle=3600)
    lost = ana.get("/api/v1/me")
    assert lost.status_code == 503
    assert lost.headers["Retry-After"] == "1"
    assert lost.get_json()["error"]["code"] == "database_unavailable"
    assert ana.get("/api/v1/me").status_code == 200


def _hold_write_lock(app: Flask, user_email: str) -> Any:
    """Another connection holding the lock a write to the user's row needs; call to release."""
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("sqlite"):
        import sqlite3

        other = sqlite3.connect(make_url(uri).database, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # the database's write lock
        return lambda: (other.execute("ROLLBACK"), other.close())
    engine = create_engine(uri)
    connection = engine.connect()
    # let go by itself after 5 s, so that a request that waits for ever fails the test
    connection.exec_driver_sql("SET idle_in_transaction_session_timeout = 5000")
    connection.exec_driver_sql(
        "SELECT id FROM users WHERE email = %(email)s FOR UPDATE", {"email": user_email}
    )

    def release() -> None:
        connection.rollback()
        connection.close()
        engine.dispose()

    return release


def test_a_lock_not_granted_in_time_is_a_503_and_changes_nothing(make_app: Any):
    app = make_app(DB_LOCK_TIMEOUT=0.2)
    ana = register_api(app.test_client(), "ana@example.org", "Ana Pérez")
    release = _hold_write_lock(app, "ana@example.org")
    try:
        busy = ana.patch("/api/v1/me", json={"name": "Ana María Pérez"})
    finally:
        release()
    assert busy.status_code == 503
    assert busy.headers["Retry-After"] == "1"
    assert busy.get_json()["error"]["code"] == "database_busy"
    assert ana.get("/api/v1/me").get_json()["name"] == "Ana Pérez"
    again = ana.patch("/api/v1/me", json={"name": "Ana María Pérez"})
    assert again.status_code == 200
    assert ana.get("/api/v1/me").get_json()["name"] == "Ana María Pérez"


def test_a_connection_lost_under_a_lesson_page_is_a_503_then_recovers(make_app: Any):
    """The lesson page reads on a pooled driver connection (lms.database.DriverRead): a lost
    one is answered like any other, and the page works again on the next request."""
    ana = _connection_closed_while_pooled(make_app, ping_after_idle=3600)
    lost = ana.get(f"/courses/{COURSE}/lessons/{FIRST}")
    assert lost.status_code == 503
    assert lost.headers["Retry-After"] == "1"
    assert ana.get(f"/courses/{COURSE}/lessons/{FIRST}").status_code == 200


def test_a_connection_handed_back_inside_a_transaction_is_rolled_back(app: Flask):
    """The pool's own rollback on return is off (most connections come back holding nothing);
    one that comes back holding a transaction is still rolled back before anyone reuses it."""
    with app.app_context():
        engine = db.engine
        raw = engine.raw_connection()
        cursor = raw.cursor()
        insert = "INSERT INTO audit_events (at, action, target, origin, details) VALUES "
        value = "(CURRENT_TIMESTAMP, 'left-open', 't', 'o', '{}')"
        if engine.dialect.name == "postgresql":
            cursor.execute("BEGIN")
        cursor.execute(insert + value)
        cursor.close()
        assert in_database_transaction(raw.dbapi_connection)
        raw.close()  # back to the pool, never committed
        again = engine.raw_connection()
        try:
            assert not in_database_transaction(again.dbapi_connection)
        finally:
            again.close()
        left = select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "left-open")
        assert db.session.scalar(left) == 0
