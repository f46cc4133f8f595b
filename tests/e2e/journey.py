"""Steps of the learner journey in a real browser, shared by the e2e tests."""

from __future__ import annotations

from typing import Any

from flask import Flask

from lms.quiz.grading import public_questions
from tests.answers import _load, right_answers

PASSWORD = "a long enough passphrase"


def click_and_load(page: Any, selector: str) -> None:
    """Click something that leads to another page and wait until that page has loaded.

    A bare click returns once the navigation has started; reading the page at that moment
    can find the old document gone and the new one not yet there.
    """
    with page.expect_navigation(wait_until="load"):
        page.click(selector)


def questions_and_answers(app: Flask, attempt_id: str) -> tuple[list[dict], dict[str, Any]]:
    quiz, attempt = _load(app, attempt_id)
    questions = public_questions(quiz, attempt.question_ids, attempt.seed)
    return questions, right_answers(app, attempt_id, questions)


def fill_quiz_by_mouse(page: Any, questions: list[dict], answers: dict[str, Any]) -> None:
    """Answer every question the way a person with a mouse would."""
    for question in questions:
        qid, kind, value = question["id"], question["type"], answers.get(question["id"])
        name = f"q-{qid}"
        if kind == "single":
            page.check(f'input[name="{name}"][value="{value}"]')
        elif kind == "multiple":
            for option in value:
                page.check(f'input[name="{name}"][value="{option}"]')
        elif kind == "true_false":
            page.check(f'input[name="{name}"][value="{"true" if value else "false"}"]')
        elif kind in ("short", "numerical"):
            page.fill(f"#{name}", str(value))
        elif kind == "matching":
            for left, right in value.items():
                page.select_option(f"#{name}-{left}", right)
