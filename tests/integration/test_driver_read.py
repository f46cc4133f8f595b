"""The lesson page's read on a pooled driver connection (lms.database.DriverRead) gives the rows
the ORM session would, in the same types, is seen by statement listeners, and never reads past
the request's own unwritten changes."""

from __future__ import annotations

import gc
import threading
from datetime import datetime
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import JSON, bindparam, event, select
from sqlalchemy.orm import Session

from lms.admin.models import AuditEvent
from lms.auth.models import User
from lms.database import DriverRead, read_rows, session_holds_connection
from lms.extensions import db
from lms.learn.models import LessonView
from lms.learn.services import _FACTS_IN_COURSE
from lms.quiz.models import QuizAttempt
from tests.answers import right_answers
from tests.conftest import Api
from tests.integration.test_query_counts import counting

COURSE = "ctip-humanitarian"
LESSONS = ("palermo-definition", "trafficking-vs-smuggling")


def _learner_with_history(app: Flask, learner: Api) -> None:
    """Ana: enrolled, two lessons read, one quiz attempt submitted (a datetime, a boolean,
    a float and NULLs in every row kind of the lesson page's statement)."""
    assert learner.post(f"/api/v1/courses/{COURSE}/enrollment").status_code in (200, 201)
    for lesson in LESSONS:
        assert learner.get(f"/api/v1/courses/{COURSE}/lessons/{lesson}").status_code == 200
    started = learner.post(f"/api/v1/courses/{COURSE}/quizzes/m1-quiz/attempts")
    assert started.status_code in (200, 201), started.get_json()
    attempt = started.get_json()
    answers = right_answers(app, attempt["attempt_id"], attempt["questions"])
    submitted = learner.post(
        f"/api/v1/attempts/{attempt['attempt_id']}/submit", {"answers": answers}
    )
    assert submitted.status_code == 200, submitted.get_json()


def _ana(app: Flask) -> int:
    with app.app_context():
        found = db.session.scalar(select(User.id).where(User.email == "ana@example.org"))
        assert found is not None
        return int(found)


def test_the_driver_gives_the_rows_and_types_the_session_would(app: Flask, learner: Api):
    _learner_with_history(app, learner)
    params = {"user_id": _ana(app), "course": COURSE}
    read = DriverRead(_FACTS_IN_COURSE)
    with app.app_context():
        by_session = [tuple(row) for row in db.session.execute(_FACTS_IN_COURSE, params)]
        db.session.remove()
        by_driver = read.rows(db.engine, params)
    assert sorted(by_driver, key=repr) == sorted(by_session, key=repr)
    kinds = {row[0] for row in by_driver}
    assert kinds == {"enrollment", "view", "attempt"}
    for row in by_driver:
        by_type = [type(value) for value in row if value is not None]
        assert all(t in (str, int, float, bool, datetime) for t in by_type), row
    attempt = next(row for row in by_driver if row[0] == "attempt")
    assert isinstance(attempt[2], datetime) and isinstance(attempt[5], bool)
    assert isinstance(attempt[7], float)


def test_the_driver_read_is_seen_by_statement_listeners(app: Flask, learner: Api):
    _learner_with_history(app, learner)
    user_id = _ana(app)
    with counting(app) as statements, app.app_context():
        rows = DriverRead(_FACTS_IN_COURSE).rows(db.engine, {"user_id": user_id, "course": COURSE})
    assert rows
    assert len(statements) == 1 and "lesson_views" in statements[0]


def test_a_read_after_a_write_in_the_request_sees_that_write(app: Flask, learner: Api):
    """Once the session holds a connection, the read goes through it: a row flushed but not
    committed is in the answer (another connection could not see it)."""
    assert learner.post(f"/api/v1/courses/{COURSE}/enrollment").status_code in (200, 201)
    user_id = _ana(app)
    read = DriverRead(_FACTS_IN_COURSE)
    params = {"user_id": user_id, "course": COURSE}
    with app.test_request_context():
        session = db.session()
        assert not session_holds_connection(session)
        before = read_rows(db.session, db.engine, read, params)
        assert not session_holds_connection(session)  # the driver's connection went back
        assert [row for row in before if row[0] == "view"] == []
        session.add(LessonView(user_id=user_id, course_id=COURSE, item_key=LESSONS[0]))
        session.flush()
        assert session_holds_connection(session)
        after = read_rows(db.session, db.engine, read, params)
        assert [row[1] for row in after if row[0] == "view"] == [LESSONS[0]]
        session.rollback()
        assert not session_holds_connection(session)
        assert [
            row for row in read_rows(db.session, db.engine, read, params) if row[0] == "view"
        ] == []


def test_a_parameter_the_driver_cannot_take_as_it_is_is_refused(app: Flask):
    """A parameter SQLAlchemy converts before the driver sees it (a JSON value; a datetime on
    SQLite) would be sent unconverted: such a statement is refused when compiled."""
    statement = select(AuditEvent.id).where(AuditEvent.details == bindparam("details", type_=JSON))
    with app.app_context(), pytest.raises(TypeError, match="details"):
        DriverRead(statement).rows(db.engine, {"details": {"a": 1}})


def test_each_quiz_attempt_row_keeps_its_number(app: Flask, learner: Api):
    _learner_with_history(app, learner)
    with app.app_context():
        numbers = db.session.scalars(select(QuizAttempt.number)).all()
        rows: list[Any] = DriverRead(_FACTS_IN_COURSE).rows(
            db.engine, {"user_id": _ana(app), "course": COURSE}
        )
    assert sorted(row[3] for row in rows if row[0] == "attempt") == sorted(numbers)


def _views(app: Flask, user_id: int) -> list[str]:
    with app.app_context():
        rows = DriverRead(_FACTS_IN_COURSE).rows(db.engine, {"user_id": user_id, "course": COURSE})
    return sorted(row[1] for row in rows if row[0] == "view")


def test_the_held_connection_sees_what_others_commit_and_holds_no_transaction(
    app: Flask, learner: Api
):
    """The thread keeps its driver connection between reads; it must not keep a snapshot:
    a view committed elsewhere in between is in the next read."""
    assert learner.post(f"/api/v1/courses/{COURSE}/enrollment").status_code in (200, 201)
    user_id = _ana(app)
    assert _views(app, user_id) == []
    with app.app_context(), Session(db.engine) as elsewhere:  # another pooled connection
        elsewhere.add(LessonView(user_id=user_id, course_id=COURSE, item_key=LESSONS[0]))
        elsewhere.commit()
    assert _views(app, user_id) == [LESSONS[0]]
    from lms.database import _held, in_database_transaction

    connection = _held.state[0]
    assert not in_database_transaction(connection.dbapi_connection)


def test_a_disposed_engine_s_held_connection_is_closed_and_replaced(app: Flask, learner: Api):
    assert learner.post(f"/api/v1/courses/{COURSE}/enrollment").status_code in (200, 201)
    user_id = _ana(app)
    _views(app, user_id)
    from lms.database import _held

    before = _held.state[0]
    with app.app_context():
        db.engine.dispose()
    assert _held.state is None and not before.is_valid
    assert _views(app, user_id) == []  # a fresh connection from the new pool
    assert _held.state[0] is not before


def test_values_written_into_the_statement_and_missing_parameters(app: Flask, learner: Api):
    user_id = _ana(app)
    with app.app_context():
        fixed = DriverRead(select(User.name).where(User.id == user_id))
        assert fixed.rows(db.engine, {}) == [("Ana Pérez",)]
        asked = DriverRead(select(User.name).where(User.id == bindparam("user_id")))
        assert asked.rows(db.engine, {"user_id": user_id}) == [("Ana Pérez",)]
        with pytest.raises(TypeError, match="user_id"):
            asked.rows(db.engine, {})


def test_short_lived_threads_give_their_connections_back(app: Flask, learner: Api):
    """A server that starts a thread per request (the development server) leaves no
    connection checked out once its threads are gone."""
    user_id = _ana(app)
    read = DriverRead(select(User.name).where(User.id == bindparam("user_id")))
    with app.app_context():
        engine = db.engine
    found: list[Any] = []
    for _n in range(12):  # more than the pool's size and overflow together would allow
        thread = threading.Thread(
            target=lambda: found.append(read.rows(engine, {"user_id": user_id}))
        )
        thread.start()
        thread.join(timeout=30)
    gc.collect()
    assert found == [[("Ana Pérez",)]] * 12
    assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]


def _postgres_only(app: Flask) -> None:
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("statements prepared on the connection are PostgreSQL's")


def _held_connection_info() -> dict[str, Any]:
    from lms.database import _held

    info: dict[str, Any] = _held.state[0].info
    return info


def test_a_read_is_prepared_once_per_connection_and_counted_once_per_run(app: Flask, learner: Api):
    _postgres_only(app)
    user_id = _ana(app)
    read = DriverRead(select(User.name).where(User.id == bindparam("user_id")))
    with app.app_context():
        with counting(app) as statements:
            for _ in range(3):
                assert read.rows(db.engine, {"user_id": user_id}) == [("Ana Pérez",)]
        assert len(statements) == 3
        assert read._name in _held_connection_info()["lms_prepared"]
        counts: list[int] = []

        def after(_conn, cursor, *_args) -> None:  # type: ignore[no-untyped-def]
            counts.append(cursor.rowcount)

        event.listen(db.engine, "after_cursor_execute", after)
        try:
            read.rows(db.engine, {"user_id": user_id})
            read.rows(db.engine, {"user_id": -1})
        finally:
            event.remove(db.engine, "after_cursor_execute", after)
        assert counts == [1, 0]  # what a statement counter reads as the rows returned
        raw = db.engine.raw_connection()
        try:
            names = [
                row[0]
                for row in raw.dbapi_connection.execute(  # type: ignore[union-attr]
                    "SELECT name FROM pg_prepared_statements"
                )
            ]
        finally:
            raw.close()
    # prepared on the thread's held connection only, not on the others of the pool
    assert read._name.decode() not in names


def test_a_statement_dropped_from_the_connection_is_prepared_again(app: Flask, learner: Api):
    """``DISCARD ALL`` (what a connection pooler may send) drops prepared statements; the
    next read still answers, and the one after it runs prepared again."""
    _postgres_only(app)
    user_id = _ana(app)
    read = DriverRead(select(User.name).where(User.id == bindparam("user_id")))
    with app.app_context():
        assert read.rows(db.engine, {"user_id": user_id}) == [("Ana Pérez",)]
        from lms.database import _held

        _held.state[0].dbapi_connection.execute("DISCARD ALL")
        assert read.rows(db.engine, {"user_id": user_id}) == [("Ana Pérez",)]
        assert read._name not in _held_connection_info()["lms_prepared"]
        assert read.rows(db.engine, {"user_id": user_id}) == [("Ana Pérez",)]
        assert read._name in _held_connection_info()["lms_prepared"]


def test_an_error_in_a_prepared_read_is_the_driver_s_error(app: Flask):
    """A statement that fails when run raises what the session would raise (SQLAlchemy's
    DBAPIError wrapping psycopg's exception), and the next read on the connection works."""
    from sqlalchemy import literal_column
    from sqlalchemy.exc import DBAPIError

    _postgres_only(app)
    read = DriverRead(select(literal_column("10") / bindparam("n")))
    with app.app_context():
        assert read.rows(db.engine, {"n": 5}) == [(2,)]
        with pytest.raises(DBAPIError, match="division by zero") as raised:
            read.rows(db.engine, {"n": 0})
        assert raised.value.orig.sqlstate == "22012"  # type: ignore[union-attr]
        assert read.rows(db.engine, {"n": 2}) == [(5,)]


def test_values_other_than_integers_and_strings_go_through_the_cursor(app: Flask):
    from sqlalchemy import literal_column

    read = DriverRead(select(literal_column("1")).where(bindparam("flag")))
    with app.app_context():
        assert read.rows(db.engine, {"flag": True}) == [(1,)]
        assert read.rows(db.engine, {"flag": False}) == []
