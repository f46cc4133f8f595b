"""Essays are graded by the course's authors; until then the attempt awaits grading."""

from __future__ import annotations

import io
import zipfile

from flask import Flask

from tests.answers import right_answers
from tests.conftest import Api, csrf_token, make_user
from tests.integration.test_authoring_api import upload

QUIZ = """\
title: Reflection
pass_mark: 60
questions:
  - {id: q1, type: true_false, prompt: "Referral needs the person's consent.", answer: true}
  - {id: q2, type: essay, prompt: "Describe how you would refer a survivor.", points: 4}
"""


def essay_package() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "course.yaml",
            "id: essay-course\nversion: 1.0.0\ntitle: Essays\nlanguage: en\nmodules:\n"
            "  - id: m1\n    title: M\n    items:\n      - quiz: quizzes/reflect.yaml\n",
        )
        archive.writestr("quizzes/reflect.yaml", QUIZ)
    return buffer.getvalue()


def _submit_essay(app: Flask, learner: Api) -> str:
    learner.post("/api/v1/courses/essay-course/enrollment")
    started = learner.post("/api/v1/courses/essay-course/quizzes/reflect/attempts").get_json()
    answers = right_answers(app, started["attempt_id"], started["questions"])
    answers["q2"] = "I would ask for consent, explain the options and call the focal point."
    result = learner.post(
        f"/api/v1/attempts/{started['attempt_id']}/submit", json={"answers": answers}
    ).get_json()
    assert result["passed"] is None  # awaiting a person
    return started["attempt_id"]


def test_an_essay_is_graded_and_the_certificate_follows(app: Flask, author: Api, learner: Api):
    assert upload(author, essay_package()).status_code == 201
    author.post("/api/v1/courses/essay-course/versions/1.0.0/publish")
    _submit_essay(app, learner)
    progress = learner.get("/api/v1/courses/essay-course/progress").get_json()
    assert progress["items"]["reflect"]["status"] == "awaiting_grading"
    assert progress["completed"] is False
    assert learner.get("/api/v1/me/certificates").get_json()["total"] == 0

    queue = author.get("/api/v1/grading").get_json()["items"]
    assert len(queue) == 1 and queue[0]["max_points"] == 4
    assert "focal point" in queue[0]["answer"]
    answer_id = queue[0]["answer_id"]

    other = make_user(app, "other-author@example.org", "author")
    assert other.get("/api/v1/grading").get_json()["items"] == []
    assert other.post(f"/api/v1/grading/{answer_id}", json={"points": 4}).status_code == 404
    assert learner.post(f"/api/v1/grading/{answer_id}", json={"points": 4}).status_code == 403
    bad = author.post(f"/api/v1/grading/{answer_id}", json={"points": 9})
    assert bad.status_code == 400 and bad.get_json()["error"]["details"][0]["field"] == "points"

    graded = author.post(
        f"/api/v1/grading/{answer_id}", json={"points": 3, "feedback": "Clear steps."}
    )
    assert graded.status_code == 200
    body = graded.get_json()
    assert body["passed"] is True and body["score_percent"] == 80.0  # (1 + 3) of 5 points
    assert author.post(f"/api/v1/grading/{answer_id}", json={"points": 3}).status_code == 409
    progress = learner.get("/api/v1/courses/essay-course/progress").get_json()
    assert progress["completed"] is True
    assert learner.get("/api/v1/me/certificates").get_json()["total"] == 1
    assert author.get("/api/v1/grading").get_json()["items"] == []


def test_grading_through_the_page_and_the_learner_sees_the_feedback(
    app: Flask, author: Api, learner: Api
):
    upload(author, essay_package())
    author.post("/api/v1/courses/essay-course/versions/1.0.0/publish")
    attempt_id = _submit_essay(app, learner)
    waiting = learner.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "awaiting grading" in waiting
    page = author.get("/authoring/grading").get_data(as_text=True)
    assert "focal point" in page
    answer_id = author.get("/api/v1/grading").get_json()["items"][0]["answer_id"]
    response = author.client.post(
        f"/authoring/grading/{answer_id}",
        data={"csrf_token": csrf_token(page), "points": "1", "feedback": "Name the referral form."},
        headers={"Authorization": f"Bearer {author.token}"},
    )
    assert response.status_code == 302
    result = learner.get(f"/attempts/{attempt_id}/result").get_data(as_text=True)
    assert "Name the referral form." in result


def test_authors_see_item_analysis_and_download_it(
    app: Flask, author: Api, learner: Api, admin: Api
):
    upload(author, essay_package())
    author.post("/api/v1/courses/essay-course/versions/1.0.0/publish")
    _submit_essay(app, learner)
    page = author.get("/authoring/courses/essay-course/quizzes/reflect/analysis")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Facility" in html and "q1" in html and "1 attempt(s) counted" in html
    csv_file = author.get("/authoring/courses/essay-course/quizzes/reflect/analysis.csv?which=all")
    assert csv_file.mimetype == "text/csv"
    assert "question" in csv_file.get_data(as_text=True).splitlines()[0]
    assert (
        author.get("/authoring/courses/essay-course/quizzes/reflect/analysis?which=x").status_code
        == 400
    )
