"""API: authors upload and publish course packages; list versions."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from lms.api.common import bp, login_required_api
from lms.authoring import services
from lms.catalog import services as catalog
from lms.catalog.models import CourseVersion
from lms.errors import Forbidden, InvalidInput, NotFound
from lms.extensions import db
from lms.learn.models import Enrollment


def _require_author() -> None:
    if not current_user.is_author:
        raise Forbidden(_("Only course authors and admins may do this."))


@bp.post("/courses")
@login_required_api
def upload_course() -> tuple[Response, int]:
    _require_author()
    upload = request.files.get("file")
    if upload is None:
        raise InvalidInput(
            details=[{"field": "file", "message": _("Attach the course package as 'file'.")}]
        )
    package = services.read_package(upload.stream, services.limits_from(current_app.config))
    version, created = services.import_package(
        package, owner=current_user, origin=request.remote_addr or ""
    )
    body = {"id": version.course_id, "version": version.version, "status": version.status}
    return jsonify(body), 201 if created else 200


@bp.post("/courses/<course_id>/versions/<version>/publish")
@login_required_api
def publish(course_id: str, version: str) -> Response:
    _require_author()
    found = services.publish(course_id, version, current_user, request.remote_addr or "")
    return jsonify({"id": found.course_id, "version": found.version, "status": found.status})


@bp.get("/courses/<course_id>/versions")
@login_required_api
def versions(course_id: str) -> Response:
    course = catalog.get_course(course_id)
    if not services.can_edit(current_user, course):
        raise NotFound()
    counts = dict(
        db.session.execute(
            select(Enrollment.course_version_id, func.count(Enrollment.id))
            .where(Enrollment.course_id == course_id, Enrollment.active.is_(True))
            .group_by(Enrollment.course_version_id)
        ).all()
    )
    rows = db.session.scalars(
        select(CourseVersion)
        .where(CourseVersion.course_id == course_id)
        .order_by(CourseVersion.sort_key)
    )
    items: list[dict[str, Any]] = [
        {
            "version": v.version,
            "status": v.status,
            "created_at": v.created_at.isoformat() + "Z",
            "published_at": v.published_at.isoformat() + "Z" if v.published_at else None,
            "enrolled": counts.get(v.id, 0),
        }
        for v in rows
    ]
    return jsonify({"items": items})
