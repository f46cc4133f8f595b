"""The learner journey through the server-rendered pages, as a browser without JavaScript."""

from __future__ import annotations

import re
import subprocess

from flask import Flask
from flask.testing import FlaskClient

from tests.answers import right_answers
from tests.conftest import csrf_token

COURSE = "migration-governance"


def _register(client: FlaskClient, name: str, email: str) -> None:
    page = client.get("/register")
    assert page.status_code == 200
    response = client.post(
        "/register",
        data={
            "csrf_token": csrf_token(page.get_data(as_text=True)),
            "name": name,
            "email": email,
            "password": "a long enough passphrase",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)


def _public_questions(app: Flask, attempt_id: str) -> list[dict]:
    from lms.auth.models import User  # noqa: F401  (models registered)
    from lms.extensions import db
    from lms.quiz.grading import public_questions
    from lms.quiz.models import QuizAttempt
    from tests.answers import _load

    quiz, attempt = _load(app, attempt_id)
    del db, QuizAttempt
    return public_questions(quiz, attempt.question_ids, attempt.seed)


def _form_from_answers(questions: list[dict], answers: dict) -> dict[str, object]:
    form: dict[str, object] = {}
    for q in questions:
        value = answers.get(q["id"])
        name = f"q-{q['id']}"
        if q["type"] == "matching":
            for left, right in value.items():
                form[f"{name}-{left}"] = right
        elif q["type"] == "true_false":
            form[name] = "true" if value else "false"
        elif value is not None:
            form[name] = value if isinstance(value, list) else str(value)
    return form


def test_a_new_user_goes_from_registration_to_a_valid_certificate(app: Flask):
    client = app.test_client()
    assert "Migration Governance" in client.get("/").get_data(as_text=True)
    _register(client, "María Fernanda Gutiérrez", "maria@example.org")

    course_page = client.get(f"/courses/{COURSE}").get_data(as_text=True)
    assert "Enrol in this course" in course_page
    response = client.post(
        f"/courses/{COURSE}/enroll", data={"csrf_token": csrf_token(course_page)}
    )
    assert response.status_code == 302

    # follow "continue" until the course is complete, the way a learner clicks through it
    for _ in range(60):
        target = client.get(f"/courses/{COURSE}/resume")
        location = target.headers["Location"]
        if location.endswith(f"/courses/{COURSE}"):
            break
        if "/lessons/" in location:
            page = client.get(location)
            assert page.status_code == 200
            assert "<h1>" in page.get_data(as_text=True)
            continue
        quiz_page = client.get(location).get_data(as_text=True)
        started = client.post(location + "/attempts", data={"csrf_token": csrf_token(quiz_page)})
        attempt_url = started.headers["Location"]
        attempt_id = attempt_url.rsplit("/", 1)[1]
        attempt_page = client.get(attempt_url).get_data(as_text=True)
        assert "correct" not in attempt_page.lower()
        questions = _public_questions(app, attempt_id)
        answers = right_answers(app, attempt_id, questions)
        form = _form_from_answers(questions, answers)
        form.update({"csrf_token": csrf_token(attempt_page), "action": "submit"})
        submitted = client.post(attempt_url, data=form)
        assert submitted.status_code == 302, submitted.get_data(as_text=True)
        result = client.get(submitted.headers["Location"]).get_data(as_text=True)
        assert "You passed" in result
    else:
        raise AssertionError("the course never completed")

    dashboard = client.get("/my").get_data(as_text=True)
    assert "Completed" in dashboard
    code = re.search(r"/verify/([0-9A-Z-]{19})", dashboard).group(1)
    pdf = client.get(f"/certificates/{code}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf.data, capture_output=True, check=True
    ).stdout.decode()
    assert "María Fernanda Gutiérrez" in text
    assert f"/verify/{code}" in text.replace("\n", "")

    verify = app.test_client().get(f"/verify/{code}").get_data(as_text=True)
    assert "This certificate is valid" in verify
    assert "María Fernanda Gutiérrez" in verify


def _open_m1_attempt(app: Flask) -> tuple[FlaskClient, str, str, str]:
    """A new learner, enrolled, with an attempt at the first quiz open in the page."""
    client = app.test_client()
    _register(client, "Pedro Ruiz", "pedro@example.org")
    page = client.get(f"/courses/{COURSE}").get_data(as_text=True)
    client.post(f"/courses/{COURSE}/enroll", data={"csrf_token": csrf_token(page)})
    quiz_page = client.get(f"/courses/{COURSE}/quizzes/m1-quiz").get_data(as_text=True)
    started = client.post(
        f"/courses/{COURSE}/quizzes/m1-quiz/attempts", data={"csrf_token": csrf_token(quiz_page)}
    )
    attempt_url = started.headers["Location"]
    return client, quiz_page, attempt_url, client.get(attempt_url).get_data(as_text=True)


def test_saving_an_attempt_keeps_answers_for_later(app: Flask):
    client, quiz_page, attempt_url, attempt_page = _open_m1_attempt(app)
    saved = client.post(
        attempt_url,
        data={"csrf_token": csrf_token(attempt_page), "action": "save", "q-q2": "23"},
    )
    assert saved.status_code == 302
    again = client.get(attempt_url).get_data(as_text=True)
    assert 'value="23"' in again
    # starting again resumes the same attempt instead of opening another
    restarted = client.post(
        f"/courses/{COURSE}/quizzes/m1-quiz/attempts", data={"csrf_token": csrf_token(quiz_page)}
    )
    assert restarted.headers["Location"] == attempt_url


def test_a_bad_numerical_answer_is_shown_back_with_an_error(app: Flask):
    client, _quiz_page, attempt_url, attempt_page = _open_m1_attempt(app)
    response = client.post(
        attempt_url,
        data={"csrf_token": csrf_token(attempt_page), "action": "submit", "q-q2": "twenty"},
    )
    assert response.status_code == 400
    assert "Some answers need fixing" in response.get_data(as_text=True)
    # nothing was submitted: the attempt is still open
    assert client.get(attempt_url).status_code == 200


def test_forms_without_a_csrf_token_are_refused(app: Flask):
    client = app.test_client()
    response = client.post(
        "/register", data={"name": "X", "email": "x@example.org", "password": "long enough pw"}
    )
    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)


def test_login_and_logout(app: Flask):
    client = app.test_client()
    _register(client, "Pedro Ruiz", "pedro@example.org")
    page = client.get("/my").get_data(as_text=True)
    client.post("/logout", data={"csrf_token": csrf_token(page)})
    assert client.get("/my").status_code == 302
    login_page = client.get("/login").get_data(as_text=True)
    bad = client.post(
        "/login",
        data={"csrf_token": csrf_token(login_page), "email": "pedro@example.org", "password": "x"},
    )
    assert bad.status_code == 400
    assert "The email or password is not right." in bad.get_data(as_text=True)
    unknown = client.post(
        "/login",
        data={"csrf_token": csrf_token(login_page), "email": "nobody@example.org", "password": "x"},
    )
    assert unknown.get_data(as_text=True).count("The email or password is not right.") == 1
    good = client.post(
        "/login",
        data={
            "csrf_token": csrf_token(login_page),
            "email": "PEDRO@example.org",
            "password": "a long enough passphrase",
        },
    )
    assert good.status_code == 302 and good.headers["Location"].endswith("/my")


def test_a_learner_not_enrolled_is_refused_a_lesson_page(app: Flask):
    client = app.test_client()
    _register(client, "Pedro Ruiz", "pedro@example.org")
    response = client.get(f"/courses/{COURSE}/lessons/coordination-mechanisms")
    assert response.status_code == 403
    assert "Enrol in this course" in response.get_data(as_text=True)


def test_a_card_s_tag_link_lists_the_courses_with_that_tag(app: Flask):
    """Each tag on a catalog card links to the catalog filtered by that tag."""
    import re

    client = app.test_client()
    page = client.get("/").get_data(as_text=True)
    links = dict(
        (text, href)
        for href, text in re.findall(r'<a class="tag" href="([^"]+)">([^<]+)</a>', page)
    )
    assert links["child-protection"] == "/?tag=child-protection"
    filtered = client.get(links["smuggling"]).get_data(as_text=True)
    assert "Counter Trafficking" in filtered and "Migration Governance" not in filtered
    assert "Tagged <strong>smuggling</strong>" in filtered
    spaced = client.get(links["labour migration"]).get_data(as_text=True)
    assert "Migration Governance" in spaced and "Counter Trafficking" not in spaced
