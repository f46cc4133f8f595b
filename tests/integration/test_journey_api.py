"""The whole learner journey through the JSON API, from registration to a verified PDF."""

from __future__ import annotations

import subprocess

from flask import Flask

from tests.answers import right_answers, wrong_answers
from tests.conftest import Api

COURSE = "ctip-humanitarian"


def _outline(api: Api, course_id: str = COURSE) -> list[dict]:
    body = api.get(f"/api/v1/courses/{course_id}").get_json()
    return [item for module in body["modules"] for item in module["items"]]


def _pass_quiz(app: Flask, api: Api, quiz_id: str, course_id: str = COURSE) -> dict:
    started = api.post(f"/api/v1/courses/{course_id}/quizzes/{quiz_id}/attempts")
    assert started.status_code in (200, 201)
    body = started.get_json()
    answers = right_answers(app, body["attempt_id"], body["questions"])
    result = api.post(f"/api/v1/attempts/{body['attempt_id']}/submit", json={"answers": answers})
    assert result.status_code == 200, result.get_json()
    return result.get_json()


def complete_course(app: Flask, api: Api, course_id: str = COURSE) -> None:
    assert api.post(f"/api/v1/courses/{course_id}/enrollment").status_code in (200, 201)
    for item in _outline(api, course_id):
        if item["kind"] == "lesson":
            assert api.get(f"/api/v1/courses/{course_id}/lessons/{item['id']}").status_code == 200
        else:
            assert _pass_quiz(app, api, item["id"], course_id)["passed"] is True


def test_whole_journey_ends_with_a_verifiable_pdf(app: Flask, learner: Api, other_learner: Api):
    catalog = learner.get("/api/v1/courses").get_json()
    assert {c["id"] for c in catalog["items"]} >= {COURSE, "migration-governance"}

    enrolled = learner.post(f"/api/v1/courses/{COURSE}/enrollment")
    assert enrolled.status_code == 201
    assert enrolled.get_json()["version"] == "1.0.0"
    assert learner.post(f"/api/v1/courses/{COURSE}/enrollment").status_code == 200

    items = _outline(learner)
    lessons = [i for i in items if i["kind"] == "lesson"]
    quizzes = [i for i in items if i["kind"] == "quiz"]
    assert len(quizzes) >= 4

    lesson = learner.get(f"/api/v1/courses/{COURSE}/lessons/{lessons[0]['id']}").get_json()
    assert lesson["title"] and "<h2" in lesson["html"]
    progress = learner.get(f"/api/v1/courses/{COURSE}/progress").get_json()
    assert progress["items"][lessons[0]["id"]]["status"] == "viewed"
    assert 0 < progress["progress_percent"] < 100
    assert progress["completed"] is False

    complete_course(app, learner)
    progress = learner.get(f"/api/v1/courses/{COURSE}/progress").get_json()
    assert progress["progress_percent"] == 100
    assert progress["completed"] is True and progress["completed_at"].endswith("Z")

    certificates = learner.get("/api/v1/me/certificates").get_json()
    assert certificates["total"] == 1
    certificate = certificates["items"][0]
    assert certificate["holder_name"] == "Ana Pérez"
    assert certificate["status"] == "valid"
    code = certificate["code"]

    pdf = learner.get(f"/api/v1/certificates/{code}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = subprocess.run(
        ["pdftotext", "-layout", "-", "-"], input=pdf.data, capture_output=True, check=True
    ).stdout.decode()
    assert "Ana Pérez" in text
    assert "Counter Trafficking in Persons" in text
    assert code in text

    assert other_learner.get(f"/api/v1/certificates/{code}.pdf").status_code == 404
    assert Api(app.test_client()).get(f"/api/v1/certificates/{code}.pdf").status_code == 404

    public = Api(app.test_client()).get(f"/api/v1/certificates/{code}").get_json()
    assert public["status"] == "valid" and public["holder_name"] == "Ana Pérez"
    page = app.test_client().get(f"/verify/{code}")
    assert page.status_code == 200 and "This certificate is valid" in page.get_data(as_text=True)

    enrollments = learner.get("/api/v1/me/enrollments").get_json()
    assert enrollments["items"][0]["progress_percent"] == 100


def test_certificate_is_issued_once_even_when_more_quizzes_are_passed(app: Flask, learner: Api):
    complete_course(app, learner)
    quizzes = [i for i in _outline(learner) if i["kind"] == "quiz"]
    # a retake after completion (the last quiz allows more attempts) issues nothing new
    started = learner.post(f"/api/v1/courses/{COURSE}/quizzes/{quizzes[0]['id']}/attempts")
    if started.status_code == 201:
        body = started.get_json()
        answers = right_answers(app, body["attempt_id"], body["questions"])
        learner.post(f"/api/v1/attempts/{body['attempt_id']}/submit", json={"answers": answers})
    assert learner.get("/api/v1/me/certificates").get_json()["total"] == 1


def test_wrong_answers_fail_and_right_answers_pass(app: Flask, learner: Api):
    learner.post(f"/api/v1/courses/{COURSE}/enrollment")
    started = learner.post(f"/api/v1/courses/{COURSE}/quizzes/m1-quiz/attempts").get_json()
    result = learner.post(
        f"/api/v1/attempts/{started['attempt_id']}/submit",
        json={"answers": wrong_answers(started["questions"])},
    ).get_json()
    assert result["passed"] is False
    assert result["score_percent"] == 0
    assert result["attempts_left"] == 2
    assert all(q["correct"] is False for q in result["questions"])

    passed = _pass_quiz(app, learner, "m1-quiz")
    assert passed["passed"] is True and passed["score_percent"] == 100
    assert passed["attempts_left"] == 1
    progress = learner.get(f"/api/v1/courses/{COURSE}/progress").get_json()
    assert progress["items"]["m1-quiz"] == {
        "kind": "quiz",
        "status": "passed",
        "score_percent": 100,
    }


def test_a_quiz_written_in_gift_is_taken_like_any_other(app: Flask, learner: Api):
    """The CTIP course's module 2 check is a GIFT file, as a Moodle question bank would be."""
    learner.post(f"/api/v1/courses/{COURSE}/enrollment")
    outline = _outline(learner)
    gift_quiz = next(i for i in outline if i["id"] == "m2-quiz")
    assert gift_quiz["title"] == "Module 2 check: crises and trafficking"
    started = learner.post(f"/api/v1/courses/{COURSE}/quizzes/m2-quiz/attempts").get_json()
    assert {q["type"] for q in started["questions"]} >= {"true_false", "multiple", "matching"}
    result = _pass_quiz(app, learner, "m2-quiz")
    assert result["passed"] is True and result["score_percent"] == 100
