"""Double clicks and simultaneous requests: one grade, one certificate."""

from __future__ import annotations

import threading

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from lms.auth.models import User
from lms.certificates.models import Certificate
from lms.extensions import db
from lms.quiz.models import AttemptAnswer, QuizAttempt
from tests.answers import right_answers
from tests.conftest import Api
from tests.integration.test_journey_api import complete_course

COURSE = "ctip-humanitarian"


def _parallel(calls: list) -> list:
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index: int) -> None:
        barrier.wait()
        results[index] = calls[index]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_a_double_clicked_submit_is_graded_once(app: Flask, learner: Api):
    learner.post(f"/api/v1/courses/{COURSE}/enrollment")
    started = learner.post(f"/api/v1/courses/{COURSE}/quizzes/m1-quiz/attempts").get_json()
    answers = right_answers(app, started["attempt_id"], started["questions"])
    url = f"/api/v1/attempts/{started['attempt_id']}/submit"
    clients = [Api(app.test_client(), learner.token) for _ in range(4)]
    responses = _parallel([lambda c=c: c.post(url, json={"answers": answers}) for c in clients])
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200, 409, 409, 409]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(QuizAttempt)) == 1
        graded = db.session.scalar(select(func.count()).select_from(AttemptAnswer))
        assert graded == len(started["questions"])


def test_simultaneous_starts_open_one_attempt(app: Flask, learner: Api):
    learner.post(f"/api/v1/courses/{COURSE}/enrollment")
    url = f"/api/v1/courses/{COURSE}/quizzes/m2-quiz/attempts"
    clients = [Api(app.test_client(), learner.token) for _ in range(3)]
    responses = _parallel([lambda c=c: c.post(url) for c in clients])
    ids = {r.get_json()["attempt_id"] for r in responses}
    assert len(ids) == 1
    assert sorted(r.status_code for r in responses)[-1] == 201


def test_the_database_refuses_a_second_current_certificate(app: Flask, learner: Api):
    complete_course(app, learner)
    with app.app_context():
        first = db.session.scalar(select(Certificate))
        assert first is not None
        duplicate = Certificate(
            code="0000-0000-0000-0000",
            user_id=first.user_id,
            course_id=first.course_id,
            course_version_id=first.course_version_id,
            holder_name=first.holder_name,
            course_title=first.course_title,
            language="en",
        )
        db.session.add(duplicate)
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()
        # a superseded certificate may stand beside the current one
        first = db.session.scalar(select(Certificate))
        first.superseded_by = "0000-0000-0000-0000"
        db.session.add(
            Certificate(
                code="0000-0000-0000-0000",
                user_id=first.user_id,
                course_id=first.course_id,
                course_version_id=first.course_version_id,
                holder_name=first.holder_name,
                course_title=first.course_title,
                language="en",
            )
        )
        db.session.commit()
        assert first.status_at() == "superseded"


def test_a_savepoint_opened_first_stays_inside_the_request_transaction(app: Flask):
    """A rolled-back request leaves nothing behind, even when its first write is a savepoint.

    On SQLite the driver begins transactions by itself only before INSERT/UPDATE/DELETE, so a
    SAVEPOINT issued first would run outside any transaction and its release would commit.
    """
    with app.app_context():
        db.session.scalar(select(func.count()).select_from(User))  # a read comes first
        with db.session.begin_nested():
            db.session.add(User(email="savepoint@example.org", name="Savepoint", password_hash="x"))
        db.session.rollback()
        kept = select(func.count()).select_from(User).where(User.email == "savepoint@example.org")
        assert db.session.scalar(kept) == 0
