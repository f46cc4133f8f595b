"""The number of SQL queries a page needs does not grow with the data: an N+1 fails here."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask
from sqlalchemy import event

from lms.extensions import db
from tests.conftest import Api, register_api
from tests.integration.test_authoring_api import COURSES, upload, zipped
from tests.integration.test_journey_api import complete_course

PAGES = (
    "/",
    "/my",
    "/courses/ctip-humanitarian",
    "/courses/ctip-humanitarian/lessons/palermo-definition",
    "/courses/ctip-humanitarian/quizzes/m1-quiz",
    "/api/v1/courses",
    "/api/v1/me/enrollments",
    "/api/v1/me/certificates",
    "/api/v1/courses/ctip-humanitarian/progress",
)


@contextmanager
def counting(app: Flask) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:  # type: ignore[no-untyped-def]
        statements.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def queries_per_page(app: Flask, api: Api) -> dict[str, int]:
    found = {}
    for page in PAGES:
        with counting(app) as statements:
            response = api.get(page)
        assert response.status_code == 200, (page, response.status_code)
        found[page] = len(statements)
    return found


def test_query_counts_do_not_grow_with_courses_enrolments_and_progress(app: Flask, author: Api):
    few = register_api(app.test_client(), "few@example.org", "Few Courses")
    few.post("/api/v1/courses/ctip-humanitarian/enrollment")
    few.get("/api/v1/courses/ctip-humanitarian/lessons/palermo-definition")
    baseline = queries_per_page(app, few)

    # more courses in the catalog, and a learner in all of them with a finished course
    for n in range(4):
        package = zipped(
            COURSES / "migration-governance",
            {"course.yaml": ("id: migration-governance", f"id: extra-course-{n}")},
        )
        assert upload(author, package).status_code == 201
        author.post(f"/api/v1/courses/extra-course-{n}/versions/1.0.0/publish")
    many = register_api(app.test_client(), "many@example.org", "Many Courses")
    complete_course(app, many, "migration-governance")
    for n in range(4):
        many.post(f"/api/v1/courses/extra-course-{n}/enrollment")
        many.get(f"/api/v1/courses/extra-course-{n}/lessons/coordination-mechanisms")
    many.post("/api/v1/courses/ctip-humanitarian/enrollment")
    many.get("/api/v1/courses/ctip-humanitarian/lessons/palermo-definition")
    grown = queries_per_page(app, many)
    assert grown == baseline
    assert max(baseline.values()) <= 14, baseline
