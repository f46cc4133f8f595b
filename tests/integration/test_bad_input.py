"""Bad input of every shape gets a clear 4xx in the contract's shape, never a 500."""

from __future__ import annotations

import json

from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Api

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=10,
)


def _api_rules(app: Flask) -> list[tuple[str, str]]:
    values = {
        "course_id": "ctip-humanitarian",
        "lesson_id": "palermo-definition",
        "quiz_id": "m1-quiz",
        "attempt_id": "nope",
        "code": "ZZZZ-ZZZZ-ZZZZ-ZZZZ",
        "version": "1.0.0",
        "user_id": "1",
        "answer_id": "1",
        "org_id": "1",
    }
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        path = rule.rule
        for name in rule.arguments:
            path = path.replace(f"<{name}>", values[name])
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found.append((method, path))
    return found


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=JSON_VALUES)
def test_any_json_body_on_any_api_route_is_answered_without_a_500(
    app: Flask, learner: Api, body: object
):
    learner.post("/api/v1/courses/ctip-humanitarian/enrollment")
    for method, path in _api_rules(app):
        if path == "/api/v1/auth/token" and method == "DELETE":
            continue  # would sign the learner out for the rest of the example
        response = learner.client.open(
            path,
            method=method,
            data=json.dumps(body),
            headers={
                "Authorization": f"Bearer {learner.token}",
                "Content-Type": "application/json",
            },
        )
        assert response.status_code < 500, (method, path, body, response.get_data(as_text=True))
        if response.status_code >= 400:
            error = response.get_json()["error"]
            assert error["code"] and error["message"]


def test_malformed_attempt_answers_get_field_errors(app: Flask, learner: Api):
    learner.post("/api/v1/courses/ctip-humanitarian/enrollment")
    attempt = learner.post("/api/v1/courses/ctip-humanitarian/quizzes/m1-quiz/attempts").get_json()
    url = f"/api/v1/attempts/{attempt['attempt_id']}/submit"
    cases = [
        {"answers": "all of them"},
        {"answers": {"q1": ["a", "b"]}},
        {"answers": {"q2": "not-an-option"}},
        {"answers": {"q3": "yes"}},
        {"answers": {"q6": ["x"]}},
        {"answers": {"q5": "x" * 20000}},
    ]
    for body in cases:
        response = learner.post(url, json=body)
        assert response.status_code == 400, body
        assert response.get_json()["error"]["code"] == "invalid_input"
    assert learner.post(url, json={"answers": {}}).status_code == 200


def test_pages_with_odd_paths_and_queries_answer_cleanly(app: Flask):
    client = app.test_client()
    for path in (
        "/?page=-1", "/?page=abc", "/?q=%00%ff", "/courses/" + "x" * 300,
        "/courses/ctip-humanitarian?version=<script>", "/verify/" + "A" * 500,
        "/courses/ctip-humanitarian/assets/1.0.0/../../etc/passwd", "/certificates/x.pdf",
    ):  # fmt: skip
        response = client.get(path)
        assert response.status_code in (200, 302, 400, 404), (path, response.status_code)


def test_uploads_without_a_file_or_with_garbage(app: Flask, author: Api, learner: Api):
    assert learner.post("/api/v1/courses").status_code == 403
    missing = author.post("/api/v1/courses")
    assert missing.status_code == 400
    garbage = author.client.post(
        "/api/v1/courses",
        data={"file": (__import__("io").BytesIO(b"not a zip"), "course.zip")},
        headers={"Authorization": f"Bearer {author.token}"},
    )
    assert garbage.status_code == 422
    problem = garbage.get_json()["error"]["details"][0]
    assert set(problem) == {"file", "line", "column", "message"}


def test_nul_characters_are_refused_everywhere(app: Flask, learner: Api):
    client = app.test_client()
    assert client.get("/?q=a%00b").status_code == 400
    response = client.post("/api/v1/auth/register", json={"email": "a\x00@x.org", "password": "x"})
    assert response.status_code == 400
    assert response.get_json()["error"]["code"] == "bad_request"
    assert learner.patch("/api/v1/me", json={"name": "Ana\x00"}).status_code == 400
