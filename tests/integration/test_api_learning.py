"""Catalog, enrolment, lessons, progress and quiz rules through the API."""

from __future__ import annotations

import json

from flask import Flask

from tests.answers import right_answers
from tests.conftest import Api

COURSE = "ctip-humanitarian"


def test_catalog_is_paged_and_filtered(client, learner: Api):
    body = client.get("/api/v1/courses").get_json()
    assert body["page"] == 1 and body["per_page"] == 50 and body["total"] == 2
    course = next(c for c in body["items"] if c["id"] == COURSE)
    assert set(course) == {
        "id", "title", "summary", "language", "languages", "version", "estimated_hours", "tags",
    }  # fmt: skip
    assert course["languages"] == ["en"]
    assert client.get("/api/v1/courses?q=trafficking").get_json()["total"] == 1
    assert client.get("/api/v1/courses?tag=no-such-tag").get_json()["total"] == 0
    tagged = client.get("/api/v1/courses?tag=trafficking").get_json()
    assert [c["id"] for c in tagged["items"]] == [COURSE]
    assert client.get("/api/v1/courses?tag=traffick").get_json()["total"] == 0  # whole tags only
    assert client.get("/api/v1/courses?tag=%25").get_json()["total"] == 0
    second = client.get("/api/v1/courses?per_page=1&page=2").get_json()
    assert second["total"] == 2 and len(second["items"]) == 1
    assert client.get("/api/v1/courses?per_page=1").get_json()["items"].__len__() == 1
    assert client.get("/api/v1/courses?page=0").status_code == 400
    assert client.get("/api/v1/courses?per_page=abc").status_code == 400


def test_course_outline(client):
    body = client.get(f"/api/v1/courses/{COURSE}").get_json()
    assert body["id"] == COURSE and body["version"] == "1.0.0"
    assert len(body["modules"]) >= 4
    kinds = {item["kind"] for m in body["modules"] for item in m["items"]}
    assert kinds == {"lesson", "quiz"}
    ids = [item["id"] for m in body["modules"] for item in m["items"]]
    assert len(ids) == len(set(ids))
    assert client.get("/api/v1/courses/no-such-course").status_code == 404
    assert client.get(f"/api/v1/courses/{COURSE}?version=9.9.9").status_code == 404


def test_not_enrolled_learner_is_refused_lessons_progress_and_quizzes(learner: Api):
    lesson = learner.get(f"/api/v1/courses/{COURSE}/lessons/palermo-definition")
    assert lesson.status_code == 403
    assert lesson.get_json()["error"]["code"] == "not_enrolled"
    assert learner.get(f"/api/v1/courses/{COURSE}/progress").status_code == 403
    attempt = learner.post(f"/api/v1/courses/{COURSE}/quizzes/m1-quiz/attempts")
    assert attempt.status_code == 403
    assert learner.get("/api/v1/courses/nope/lessons/x").status_code == 404


def test_unknown_lesson_is_404_and_enrolment_to_unknown_course_is_404(learner: Api):
    learner.post(f"/api/v1/courses/{COURSE}/enrollment")
    assert learner.get(f"/api/v1/courses/{COURSE}/lessons/nope").status_code == 404
    # a quiz id is not a lesson
    assert learner.get(f"/api/v1/courses/{COURSE}/lessons/m1-quiz").status_code == 404
    assert learner.post("/api/v1/courses/nope/enrollment").status_code == 404


def test_unenrol_keeps_progress_for_re_enrolment(learner: Api):
    learner.post(f"/api/v1/courses/{COURSE}/enrollment")
    learner.get(f"/api/v1/courses/{COURSE}/lessons/palermo-definition")
    assert learner.delete(f"/api/v1/courses/{COURSE}/enrollment").status_code == 204
    assert learner.get("/api/v1/me/enrollments").get_json()["total"] == 0
    assert learner.get(f"/api/v1/courses/{COURSE}/lessons/palermo-definition").status_code == 403
    assert learner.post(f"/api/v1/courses/{COURSE}/enrollment").status_code == 201
    progress = learner.get(f"/api/v1/courses/{COURSE}/progress").get_json()
    assert progress["items"]["palermo-definition"]["status"] == "viewed"


def test_questions_reveal_no_right_answer(app: Flask, learner: Api):
    learner.post(f"/api/v1/courses/{COURSE}/enrollment")
    body = learner.post(f"/api/v1/courses/{COURSE}/quizzes/m1-quiz/attempts").get_json()
    text = json.dumps(body["questions"]).lower()
    for leak in ("correct", "weight", "feedback", "answer", "pairs"):
        assert leak not in text
    for question in body["questions"]:
        allowed = {"id", "type", "prompt_html", "points", "options", "left", "right"}
        assert set(question) <= allowed
    # the Palermo question's right option text is present, but nothing marks it
    assert "palermo" in text


def test_attempt_rules(app: Flask, learner: Api, other_learner: Api):
    learner.post(f"/api/v1/courses/{COURSE}/enrollment")
    url = f"/api/v1/courses/{COURSE}/quizzes/final-assessment/attempts"
    first = learner.post(url)
    assert first.status_code == 201
    again = learner.post(url)
    assert again.status_code == 200
    assert again.get_json()["attempt_id"] == first.get_json()["attempt_id"]
    attempt_id = first.get_json()["attempt_id"]

    # someone else's attempt does not exist for them
    assert (
        other_learner.put(
            f"/api/v1/attempts/{attempt_id}/answers", json={"answers": {}}
        ).status_code
        == 404
    )
    assert other_learner.post(f"/api/v1/attempts/{attempt_id}/submit", json={}).status_code == 404
    assert other_learner.get(f"/api/v1/attempts/{attempt_id}").status_code == 404

    # bad shapes are 400 with the question named, and change nothing
    bad = learner.put(
        f"/api/v1/attempts/{attempt_id}/answers",
        json={"answers": {"q1": "not a number", "nope": 1}},
    )
    assert bad.status_code == 400
    fields = {d["field"] for d in bad.get_json()["error"]["details"]}
    assert fields == {"answers.q1", "answers.nope"}
    assert (
        learner.put(f"/api/v1/attempts/{attempt_id}/answers", json={"answers": []}).status_code
        == 400
    )

    saved = learner.put(f"/api/v1/attempts/{attempt_id}/answers", json={"answers": {"q1": 2000}})
    assert saved.status_code == 200 and saved.get_json()["saved_answers"] == {"q1": 2000}

    submitted = learner.post(f"/api/v1/attempts/{attempt_id}/submit", json={"answers": {}})
    assert submitted.status_code == 200
    result = submitted.get_json()
    assert result["passed"] is False and result["points"] > 0  # the saved q1 counted
    assert result["attempts_left"] == 1
    twice = learner.post(f"/api/v1/attempts/{attempt_id}/submit", json={"answers": {}})
    assert twice.status_code == 409 and twice.get_json()["error"]["code"] == "already_submitted"
    late_save = learner.put(f"/api/v1/attempts/{attempt_id}/answers", json={"answers": {}})
    assert late_save.status_code == 409

    second = learner.post(url).get_json()
    learner.post(f"/api/v1/attempts/{second['attempt_id']}/submit", json={"answers": {}})
    refused = learner.post(url)
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "no_attempts_left"

    attempts = learner.get(url).get_json()["items"]
    assert [a["number"] for a in attempts] == [1, 2]
    assert all(a["submitted_at"] for a in attempts)


def test_grading_method_highest_keeps_the_best_result(app: Flask, learner: Api):
    learner.post(f"/api/v1/courses/{COURSE}/enrollment")
    url = f"/api/v1/courses/{COURSE}/quizzes/m1-quiz/attempts"
    first = learner.post(url).get_json()
    answers = right_answers(app, first["attempt_id"], first["questions"])
    learner.post(f"/api/v1/attempts/{first['attempt_id']}/submit", json={"answers": answers})
    second = learner.post(url).get_json()
    learner.post(f"/api/v1/attempts/{second['attempt_id']}/submit", json={"answers": {}})
    status = learner.get(f"/api/v1/courses/{COURSE}/progress").get_json()["items"]["m1-quiz"]
    assert status == {"kind": "quiz", "status": "passed", "score_percent": 100}


def test_openapi_document_lists_the_contract_paths(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    for path in (
        "/auth/register", "/auth/token", "/me", "/courses", "/courses/{course_id}",
        "/courses/{course_id}/enrollment", "/me/enrollments",
        "/courses/{course_id}/lessons/{lesson_id}", "/courses/{course_id}/progress",
        "/courses/{course_id}/quizzes/{quiz_id}/attempts", "/attempts/{attempt_id}/answers",
        "/attempts/{attempt_id}/submit", "/me/certificates", "/certificates/{code}.pdf",
        "/certificates/{code}", "/certificates/{code}/revoke",
        "/courses/{course_id}/versions/{version}/publish", "/courses/{course_id}/versions",
    ):  # fmt: skip
        assert path in doc["paths"], path


def test_unknown_api_paths_and_methods_answer_in_the_error_shape(client):
    missing = client.get("/api/v1/nothing-here")
    assert missing.status_code == 404
    assert missing.get_json()["error"]["code"] == "not_found"
    wrong = client.delete("/api/v1/courses")
    assert wrong.status_code == 405
    assert wrong.get_json()["error"]["code"] == "method_not_allowed"


def test_openapi_documents_every_api_route(app, client):
    """Each route of the app under /api/v1 appears in the OpenAPI document with its method."""
    doc = client.get("/api/v1/openapi.json").get_json()
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.rule == "/api/v1/openapi.json":
            continue
        path = rule.rule.removeprefix("/api/v1").replace("<int:", "{").replace("<", "{")
        path = path.replace(">", "}")
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}:
            if method.lower() not in doc["paths"].get(path, {}):
                missing.append(f"{method} {path}")
    assert missing == []
