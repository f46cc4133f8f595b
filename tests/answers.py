"""Work out right (and wrong) answers for an attempt from the quiz as the server holds it.

Tests use the pure grader to find, for each public question, the answer that scores full marks,
so they never depend on option order or ids, which are shuffled per attempt.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from lms.catalog.models import Item
from lms.extensions import db
from lms.quiz.grading import grade_attempt
from lms.quiz.models import QuizAttempt
from lms.quiz.quizdef import Quiz, quiz_from_json


def _load(app: Flask, attempt_id: str) -> tuple[Quiz, QuizAttempt]:
    with app.app_context():
        attempt = db.session.scalar(select(QuizAttempt).where(QuizAttempt.public_id == attempt_id))
        assert attempt is not None
        item = db.session.scalar(
            select(Item).where(
                Item.course_version_id == attempt.course_version_id, Item.key == attempt.quiz_key
            )
        )
        assert item is not None
        db.session.expunge(attempt)
        return quiz_from_json(item.data["quiz"]), attempt


def _score(quiz: Quiz, attempt: QuizAttempt, qid: str, answer: Any) -> float:
    grade = grade_attempt(quiz, attempt.question_ids, {qid: answer}, attempt.seed)
    return next(q.score for q in grade.questions if q.id == qid)


def right_answers(app: Flask, attempt_id: str, questions: list[dict[str, Any]]) -> dict[str, Any]:
    """Answers that score full marks on every question of the attempt."""
    quiz, attempt = _load(app, attempt_id)
    by_id = {q.id: q for q in quiz.questions}
    answers: dict[str, Any] = {}
    for public in questions:
        qid, kind = public["id"], public["type"]
        full = public["points"]
        if kind == "single":
            answers[qid] = next(
                o["id"] for o in public["options"] if _score(quiz, attempt, qid, o["id"]) == full
            )
        elif kind == "multiple":
            answers[qid] = [
                o["id"] for o in public["options"] if _score(quiz, attempt, qid, [o["id"]]) > 0
            ]
        elif kind == "true_false":
            answers[qid] = _score(quiz, attempt, qid, True) == full
        elif kind == "matching":
            answers[qid] = {
                left["id"]: next(
                    r["id"]
                    for r in public["right"]
                    if _score(quiz, attempt, qid, {left["id"]: r["id"]}) > 0
                )
                for left in public["left"]
            }
        elif kind == "short":
            texts = [a.text for a in by_id[qid].answers if "*" not in a.text]  # type: ignore[attr-defined]
            answers[qid] = next(t for t in texts if _score(quiz, attempt, qid, t) == full)
        elif kind == "numerical":
            ranges = by_id[qid].answers  # type: ignore[attr-defined]
            candidates = [r.value if r.value is not None else r.low for r in ranges]
            answers[qid] = next(
                c for c in candidates if c is not None and _score(quiz, attempt, qid, c) == full
            )
    return answers


def wrong_answers(questions: list[dict[str, Any]]) -> dict[str, Any]:
    """Answers that score nothing (a blank for most, an impossible value for the rest)."""
    answers: dict[str, Any] = {}
    for public in questions:
        if public["type"] == "numerical":
            answers[public["id"]] = -987654.0
        elif public["type"] == "short":
            answers[public["id"]] = "zzzz not an answer"
    return answers
