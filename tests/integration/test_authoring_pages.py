"""An author goes from a zip with ten planted mistakes to a published course using the pages."""

from __future__ import annotations

import io
import re

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import PASSWORD, csrf_token, make_user
from tests.integration.test_authoring_api import COURSES, zipped

MISTAKES = {
    "course.yaml": [
        ("id: migration-governance", "id: Migration Governance"),  # 1 not a slug
        ('version: "1.0.0"', "version: one"),  # 2 not a semantic version
        ("estimated_hours: 5", "estimated_hours: five"),  # 3 wrong type
        ("completion:", "completon:"),  # 4 misspelt key
        ("lessons/02-coordination-mechanisms.md", "lessons/02-coordination.md"),  # 5 missing file
    ],
    "lessons/01-what-is-migration-governance.md": [
        ("minutes: 20", "minutes: twenty"),  # 6 wrong type in front matter
    ],
    "lessons/04-data-for-migration-governance.md": [
        ("## ", "![chart](../assets/chart.png)\n\n## "),  # 7 image not in the package
    ],
    "quizzes/m1-quiz.yaml": [
        ("type: single", "type: singel"),  # 8 unknown question type
    ],
    "quizzes/m2-quiz.yaml": [
        ("pass_mark: 80", "pass_mark: 180"),  # 9 out of range
    ],
    "quizzes/m3-quiz.yaml": [
        ("    type: true_false\n", "    type: true_false\n    colour: blue\n"),  # 10 unknown key
    ],
}


def _broken_package() -> bytes:
    data = zipped(COURSES / "migration-governance")
    import zipfile

    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for info in source.infolist():
            text = source.read(info)
            relative = info.filename.split("/", 1)[1]
            for old, new in MISTAKES.get(relative, []):
                assert old.encode() in text, (relative, old)
                text = text.replace(old.encode(), new.encode(), 1)
            archive.writestr(info, text)
    return out.getvalue()


def _login(app: Flask, email: str) -> FlaskClient:
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    client.post(
        "/login", data={"csrf_token": csrf_token(page), "email": email, "password": PASSWORD}
    )
    return client


def test_ten_planted_mistakes_are_each_reported_where_they_are(app: Flask):
    make_user(app, "writer@example.org", "author", "Writer")
    client = _login(app, "writer@example.org")
    page = client.get("/authoring/").get_data(as_text=True)
    response = client.post(
        "/authoring/upload",
        data={
            "csrf_token": csrf_token(page),
            "file": (io.BytesIO(_broken_package()), "course.zip"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "nothing was imported" in html
    expected = [
        ("course.yaml", "lowercase letters"),
        ("course.yaml", "MAJOR.MINOR.PATCH"),
        ("course.yaml", "estimated_hours"),
        ("course.yaml", "did you mean &#39;completion&#39;"),
        ("course.yaml", "lessons/02-coordination.md"),
        ("lessons/01-what-is-migration-governance.md", "minutes"),
        ("lessons/04-data-for-migration-governance.md", "../assets/chart.png"),
        ("quizzes/m1-quiz.yaml", "singel"),
        ("quizzes/m2-quiz.yaml", "pass_mark"),
        ("quizzes/m3-quiz.yaml", "colour"),
    ]
    sections = dict(
        re.findall(r"<h3><code>([^<]+)</code></h3>\s*<ul class=\"errors\">(.*?)</ul>", html, re.S)
    )
    for file, fragment in expected:
        assert file in sections, file
        assert fragment in sections[file], (file, fragment)
        assert "line " in sections[file]


def test_upload_preview_publish_and_export_through_the_pages(app: Flask):
    make_user(app, "writer@example.org", "author", "Writer")
    client = _login(app, "writer@example.org")
    page = client.get("/authoring/").get_data(as_text=True)
    package = zipped(
        COURSES / "migration-governance",
        {"course.yaml": ("id: migration-governance", "id: page-course")},
    )
    response = client.post(
        "/authoring/upload",
        data={"csrf_token": csrf_token(page), "file": (io.BytesIO(package), "course.zip")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(
        "/authoring/courses/page-course"
    )
    course_page = client.get("/authoring/courses/page-course").get_data(as_text=True)
    assert "Draft" in course_page and "1.0.0" in course_page

    lesson = client.get(
        "/authoring/courses/page-course/versions/1.0.0/preview/coordination-mechanisms"
    )
    assert lesson.status_code == 200 and "nothing you do here is recorded" in lesson.get_data(
        as_text=True
    )
    quiz = client.get("/authoring/courses/page-course/versions/1.0.0/preview/m1-quiz").get_data(
        as_text=True
    )
    graded = client.post(
        "/authoring/courses/page-course/versions/1.0.0/preview/m1-quiz",
        data={"csrf_token": csrf_token(quiz), "q-q2": "23"},
    )
    assert graded.status_code == 200 and "Score:" in graded.get_data(as_text=True)
    # learners still cannot see the draft
    assert app.test_client().get("/courses/page-course").status_code == 404

    published = client.post(
        "/authoring/courses/page-course/versions/1.0.0/publish",
        data={"csrf_token": csrf_token(course_page)},
    )
    assert published.status_code == 302
    assert app.test_client().get("/courses/page-course").status_code == 200
    exported = client.get("/authoring/courses/page-course/versions/1.0.0/export")
    assert exported.mimetype == "application/zip"
    # nothing was recorded by the preview
    from lms.extensions import db
    from lms.quiz.models import QuizAttempt

    with app.app_context():
        assert db.session.query(QuizAttempt).filter_by(course_id="page-course").count() == 0
