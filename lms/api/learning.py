"""API: enrolment, lessons, progress."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify
from flask_login import current_user

from lms.api.common import bp, json_body, login_required_api, paged
from lms.learn import services
from lms.learn.models import Enrollment
from lms.learn.progress import Progress
from lms.timeutil import iso


def enrollment_json(enrollment: Enrollment) -> dict[str, Any]:
    return {
        "course_id": enrollment.course_id,
        "version": enrollment.course_version.version,
        "enrolled_at": iso(enrollment.enrolled_at),
    }


def progress_json(enrollment: Enrollment, progress: Progress) -> dict[str, Any]:
    return {
        "progress_percent": progress.percent,
        "completed": progress.completed,
        "completed_at": iso(enrollment.completed_at),
        "items": {
            key: {"kind": s.kind, "status": s.status, "score_percent": s.score_percent}
            for key, s in progress.items.items()
        },
    }


@bp.post("/courses/<course_id>/enrollment")
@login_required_api
def enroll(course_id: str) -> tuple[Response, int]:
    body = json_body(optional=True)
    result = services.enroll(current_user, course_id, body.get("version"))
    return jsonify(enrollment_json(result.enrollment)), 201 if result.created else 200


@bp.delete("/courses/<course_id>/enrollment")
@login_required_api
def unenroll(course_id: str) -> tuple[str, int]:
    services.unenroll(current_user, course_id)
    return "", 204


def enrollment_row(enrollment: Enrollment) -> dict[str, Any]:
    return {
        "course_id": enrollment.course_id,
        "title": enrollment.course_version.title,
        "version": enrollment.course_version.version,
        "progress_percent": enrollment.progress_percent,
        "completed_at": iso(enrollment.completed_at),
    }


@bp.get("/me/enrollments")
@login_required_api
def my_enrollments() -> Response:
    return jsonify(paged(services.my_enrollments(current_user), enrollment_row))


@bp.get("/courses/<course_id>/lessons/<lesson_id>")
@login_required_api
def lesson(course_id: str, lesson_id: str) -> Response:
    visit = services.view_lesson(current_user.id, course_id, lesson_id)
    return jsonify(
        {
            "id": visit.item.key,
            "title": visit.item.title,
            "html": visit.html,
            "minutes": visit.item.minutes,
            "language": visit.version.language,
        }
    )


@bp.get("/courses/<course_id>/progress")
@login_required_api
def progress(course_id: str) -> Response:
    enrollment = services.require_enrollment(current_user, course_id)
    return jsonify(progress_json(enrollment, services.progress_for(enrollment)))
