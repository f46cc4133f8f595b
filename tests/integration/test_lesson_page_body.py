"""The lesson page's body is rendered once per state and shared between learners at the same
point: what one learner has done must never show on another's page, and the language, the
frame and the learner's own name stay their own."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import csrf_token
from tests.integration.test_journey_pages import _register as register

COURSE = "ctip-humanitarian"
FIRST, SECOND, THIRD = "palermo-definition", "trafficking-vs-smuggling", "crises-and-risk"


def _learner(app: Flask, name: str, email: str) -> FlaskClient:
    client = app.test_client()
    register(client, name, email)
    course = client.get(f"/courses/{COURSE}")
    enrolled = client.post(
        f"/courses/{COURSE}/enroll",
        data={"csrf_token": csrf_token(course.get_data(as_text=True))},
    )
    assert enrolled.status_code == 302
    return client


def _lesson(client: FlaskClient, key: str, **headers: str) -> str:
    page = client.get(f"/courses/{COURSE}/lessons/{key}", headers=headers)
    assert page.status_code == 200
    return page.get_data(as_text=True)


def _done(html: str) -> set[str]:
    """The outline's items marked done on a page."""
    return set(re.findall(r'class="done"><a href="[^"]*/lessons/([^"/]+)"', html))


def test_the_outline_follows_each_learners_own_progress(app: Flask):
    ana = _learner(app, "Ana Pérez", "ana@example.org")
    ben = _learner(app, "Ben Okafor", "ben@example.org")
    _lesson(ana, FIRST)
    _lesson(ana, SECOND)
    _lesson(ben, THIRD)
    _lesson(ben, SECOND)

    # the same lesson, the same share of the course done, but not the same lessons
    ana_page, ben_page = _lesson(ana, SECOND), _lesson(ben, SECOND)
    assert _done(ana_page) == {FIRST, SECOND}
    assert _done(ben_page) == {SECOND, THIRD}
    assert "Ana Pérez" in ana_page and "Ben Okafor" not in ana_page
    assert "Ben Okafor" in ben_page and "Ana Pérez" not in ben_page

    _lesson(ana, THIRD)
    _lesson(ben, FIRST)  # now both have read the same three: the same body, their own frame
    ana_page, ben_page = _lesson(ana, SECOND), _lesson(ben, SECOND)
    assert _done(ana_page) == _done(ben_page) == {FIRST, SECOND, THIRD}
    assert "Ben Okafor" in ben_page and "Ana Pérez" not in ben_page
    assert csrf_token(ben_page) != csrf_token(ana_page)


def test_learners_at_the_same_point_in_two_languages_each_read_their_own(app: Flask):
    ana = _learner(app, "Ana Pérez", "ana@example.org")
    ben = _learner(app, "Ben Okafor", "ben@example.org")
    _lesson(ana, FIRST)
    _lesson(ben, FIRST)
    english = _lesson(ana, FIRST, **{"Accept-Language": "en"})
    spanish = _lesson(ben, FIRST, **{"Accept-Language": "es"})
    assert 'aria-label="Course outline"' in english
    assert "Next:" in english and "Siguiente:" not in english
    assert "Siguiente:" in spanish and "Next:" not in spanish
    assert 'aria-label="Course outline"' not in spanish


def test_the_sign_out_form_on_a_lesson_page_works_every_time(app: Flask):
    ana = _learner(app, "Ana Pérez", "ana@example.org")
    _lesson(ana, FIRST)
    first, again = _lesson(ana, FIRST), _lesson(ana, FIRST)
    assert csrf_token(first) == csrf_token(again)  # signed once for the session
    signed_out = ana.post("/logout", data={"csrf_token": csrf_token(again)})
    assert signed_out.status_code == 302
    assert ana.get(f"/courses/{COURSE}/lessons/{FIRST}").status_code == 302  # to the sign-in


def test_a_flashed_message_shows_once_on_the_lesson_page(app: Flask):
    ana = _learner(app, "Ana Pérez", "ana@example.org")  # enrolling flashes a welcome
    shown = _lesson(ana, FIRST)
    assert "You are enrolled" in shown and "Ana Pérez" in shown
    assert "You are enrolled" not in _lesson(ana, FIRST)
