"""API: quiz attempts."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from flask_login import current_user

from lms.api.common import bp, json_body, login_required_api
from lms.errors import Forbidden
from lms.quiz import services
from lms.quiz.models import QuizAttempt
from lms.timeutil import iso


def attempt_json(started: services.StartedAttempt) -> dict[str, Any]:
    attempt = started.attempt
    return {
        "attempt_id": attempt.public_id,
        "number": attempt.number,
        "started_at": iso(attempt.started_at),
        "deadline": iso(attempt.deadline),
        "saved_answers": attempt.saved_answers or {},
        "questions": started.questions,
    }


def attempt_summary(attempt: QuizAttempt) -> dict[str, Any]:
    return {
        "attempt_id": attempt.public_id,
        "number": attempt.number,
        "started_at": iso(attempt.started_at),
        "submitted_at": iso(attempt.submitted_at),
        "score_percent": attempt.score_percent,
        "points": attempt.points,
        "max_points": attempt.max_points,
        "passed": attempt.passed,
    }


@bp.post("/courses/<course_id>/quizzes/<quiz_id>/attempts")
@login_required_api
def start_attempt(course_id: str, quiz_id: str) -> tuple[Response, int]:
    started = services.start_attempt(current_user, course_id, quiz_id)
    return jsonify(attempt_json(started)), 201 if started.created else 200


@bp.get("/courses/<course_id>/quizzes/<quiz_id>/attempts")
@login_required_api
def list_attempts(course_id: str, quiz_id: str) -> Response:
    overview = services.quiz_overview(current_user, course_id, quiz_id)
    return jsonify({"items": [attempt_summary(a) for a in overview.attempts]})


@bp.get("/attempts/<attempt_id>")
@login_required_api
def get_attempt(attempt_id: str) -> Response:
    view = services.attempt_view(current_user, attempt_id)
    body = attempt_json(view)
    body.update(attempt_summary(view.attempt))
    return jsonify(body)


@bp.put("/attempts/<attempt_id>/answers")
@login_required_api
def save_answers(attempt_id: str) -> Response:
    body = json_body()
    attempt = services.save_answers(current_user, attempt_id, body.get("answers"))
    return jsonify({"attempt_id": attempt.public_id, "saved_answers": attempt.saved_answers})


@bp.post("/attempts/<attempt_id>/submit")
@login_required_api
def submit(attempt_id: str) -> Response:
    body = json_body(optional=True)
    result = services.submit_attempt(current_user, attempt_id, body.get("answers"))
    grade = result.grade
    payload: dict[str, Any] = {
        "attempt_id": result.attempt.public_id,
        "score_percent": grade.score_percent,
        "points": grade.points,
        "max_points": grade.max_points,
        "passed": grade.passed,
        "attempts_left": result.attempts_left,
        "feedback": result.band,
    }
    if result.show_review:
        payload["questions"] = [
            {"id": q.id, "correct": q.correct, "score": q.score, "feedback_html": q.feedback_html}
            for q in grade.questions
        ]
    return jsonify(payload)


@bp.get("/grading")
@login_required_api
def grading_queue() -> Response:
    """Essay answers awaiting a grade in the caller's courses (authors, admins)."""
    if not current_user.is_author:
        raise Forbidden()
    items = [
        {
            "answer_id": row.answer.id,
            "attempt_id": row.attempt.public_id,
            "course_id": row.attempt.course_id,
            "quiz_id": row.attempt.quiz_key,
            "question_id": row.answer.question_id,
            "learner_name": row.learner_name,
            "prompt_html": row.prompt_html,
            "answer": row.answer.answer,
            "max_points": row.answer.max_score,
            "submitted_at": iso(row.attempt.submitted_at),
        }
        for row in services.grading_queue(current_user)
    ]
    return jsonify({"items": items})


@bp.post("/grading/<int:answer_id>")
@login_required_api
def grade_answer(answer_id: int) -> Response:
    if not current_user.is_author:
        raise Forbidden()
    body = json_body()
    attempt = services.grade_answer(
        current_user, answer_id, body.get("points"), body.get("feedback"), request.remote_addr or ""
    )
    return jsonify(attempt_summary(attempt))
