"""Quiz settings the server enforces: the time limit, review, drawing and attempt limits."""

from __future__ import annotations

import io
import zipfile
from datetime import timedelta

from flask import Flask
from sqlalchemy import select

from lms.extensions import db
from lms.quiz.models import QuizAttempt
from tests.answers import right_answers
from tests.conftest import Api
from tests.integration.test_authoring_api import upload

QUESTIONS = "\n".join(
    f'  - {{id: q{n}, type: true_false, prompt: "Statement {n} is true.", answer: true}}'
    for n in range(6)
)


def settings_package(settings: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "course.yaml",
            "id: settings-course\nversion: 1.0.0\ntitle: Settings\nlanguage: en\nmodules:\n"
            "  - id: m1\n    title: M\n    items:\n      - quiz: quizzes/check.yaml\n",
        )
        archive.writestr(
            "quizzes/check.yaml", f"title: Check\n{settings}\nquestions:\n{QUESTIONS}\n"
        )
    return buffer.getvalue()


def publish(author: Api, settings: str) -> None:
    assert upload(author, settings_package(settings)).status_code == 201
    author.post("/api/v1/courses/settings-course/versions/1.0.0/publish")


def test_a_late_submit_is_graded_on_what_was_saved_by_the_deadline(
    app: Flask, author: Api, learner: Api
):
    publish(author, "time_limit_seconds: 60")
    learner.post("/api/v1/courses/settings-course/enrollment")
    started = learner.post("/api/v1/courses/settings-course/quizzes/check/attempts").get_json()
    assert started["deadline"] is not None
    attempt_id = started["attempt_id"]
    answers = right_answers(app, attempt_id, started["questions"])
    learner.put(f"/api/v1/attempts/{attempt_id}/answers", json={"answers": {"q0": answers["q0"]}})
    with app.app_context():  # the clock runs out: move the attempt's start into the past
        attempt = db.session.scalar(select(QuizAttempt).where(QuizAttempt.public_id == attempt_id))
        attempt.deadline = attempt.deadline - timedelta(minutes=10)
        db.session.commit()
    late = learner.put(f"/api/v1/attempts/{attempt_id}/answers", json={"answers": answers})
    assert late.status_code == 409
    result = learner.post(f"/api/v1/attempts/{attempt_id}/submit", json={"answers": answers})
    assert result.status_code == 200
    body = result.get_json()
    assert body["points"] == 1 and body["max_points"] == 6  # only the answer saved in time


def test_review_never_hides_the_questions_results(app: Flask, author: Api, learner: Api):
    publish(author, "review: never")
    learner.post("/api/v1/courses/settings-course/enrollment")
    started = learner.post("/api/v1/courses/settings-course/quizzes/check/attempts").get_json()
    result = learner.post(
        f"/api/v1/attempts/{started['attempt_id']}/submit", json={"answers": {}}
    ).get_json()
    assert "questions" not in result and result["passed"] is False


def test_review_after_pass_shows_results_only_to_those_who_passed(
    app: Flask, author: Api, learner: Api
):
    publish(author, "review: after_pass")
    learner.post("/api/v1/courses/settings-course/enrollment")
    url = "/api/v1/courses/settings-course/quizzes/check/attempts"
    first = learner.post(url).get_json()
    failed = learner.post(f"/api/v1/attempts/{first['attempt_id']}/submit", json={}).get_json()
    assert "questions" not in failed
    second = learner.post(url).get_json()
    answers = right_answers(app, second["attempt_id"], second["questions"])
    passed = learner.post(
        f"/api/v1/attempts/{second['attempt_id']}/submit", json={"answers": answers}
    ).get_json()
    assert passed["passed"] is True and len(passed["questions"]) == 6


def test_draw_gives_each_attempt_its_own_stable_selection(app: Flask, author: Api, learner: Api):
    publish(author, "draw: 3\nshuffle_questions: true")
    learner.post("/api/v1/courses/settings-course/enrollment")
    url = "/api/v1/courses/settings-course/quizzes/check/attempts"
    first = learner.post(url).get_json()
    assert len(first["questions"]) == 3
    again = learner.get(f"/api/v1/attempts/{first['attempt_id']}").get_json()
    assert [q["id"] for q in again["questions"]] == [q["id"] for q in first["questions"]]
