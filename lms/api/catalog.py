"""API: the catalog and a course's outline."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request
from flask_login import current_user

from lms.api.common import bp, page_of, paging
from lms.catalog import services
from lms.catalog.models import CourseVersion
from lms.learn import services as learn


def course_summary(version: CourseVersion) -> dict[str, Any]:
    return {
        "id": version.course_id,
        "title": version.title,
        "summary": version.summary,
        "language": version.language,
        "languages": version.languages or [version.language],
        "version": version.version,
        "estimated_hours": version.estimated_hours,
        "tags": version.tags or [],
    }


@bp.get("/courses")
def list_courses() -> Response:
    page, per_page = paging()
    result = services.list_courses(
        q=request.args.get("q", "")[:200],
        language=request.args.get("language", "")[:20],
        tag=request.args.get("tag", "")[:100],
        page=page,
        per_page=per_page,
    )
    return jsonify(page_of([course_summary(v) for v in result.items], page, per_page, result.total))


@bp.get("/courses/<course_id>")
def get_course(course_id: str) -> Response:
    user = current_user if current_user.is_authenticated else None
    enrollment = learn.find_enrollment(user, course_id) if user else None
    version = services.course_version_for(
        course_id,
        user,
        request.args.get("version") or None,
        enrollment.course_version_id if enrollment else None,
    )
    modules = services.outline(version)
    body = course_summary(version)
    body["status"] = version.status
    body["completion"] = version.completion
    body["modules"] = [
        {
            "id": module.key,
            "title": module.title,
            "items": [
                {"id": item.key, "kind": item.kind, "title": item.title, "minutes": item.minutes}
                for item in module.items
            ],
        }
        for module in modules
    ]
    return jsonify(body)
