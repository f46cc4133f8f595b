"""API: authors upload and publish course packages; list versions."""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from lms.api.common import bp, json_body, login_required_api
from lms.authoring import services
from lms.authoring.views import attachment
from lms.errors import Forbidden, InvalidInput
from lms.timeutil import iso


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
    rows = services.versions_with_counts(course_id, current_user)
    items: list[dict[str, Any]] = [
        {
            "version": row.version.version,
            "status": row.version.status,
            "created_at": iso(row.version.created_at),
            "published_at": iso(row.version.published_at),
            "enrolled": row.enrolled,
        }
        for row in rows
    ]
    return jsonify({"items": items})


@bp.get("/courses/<course_id>/versions/<version>/export")
@login_required_api
def export(course_id: str, version: str) -> Response:
    """The version as a zip that imports back to the same course."""
    name, data = services.export_version(course_id, version, current_user)
    return attachment(data, "application/zip", name)


@bp.post("/courses/<course_id>/versions/<version>/move-learners")
@login_required_api
def move_learners(course_id: str, version: str) -> Response:
    """Move everyone enrolled to this published version."""
    moved = services.move_learners(course_id, version, current_user, request.remote_addr or "")
    return jsonify({"id": course_id, "version": version, "moved": moved})


@bp.post("/courses/<course_id>/authors")
@login_required_api
def add_author(course_id: str) -> tuple[Response, int]:
    email = json_body().get("email")
    if not isinstance(email, str):
        raise InvalidInput(details=[{"field": "email", "message": _("Required, as text.")}])
    user = services.add_coauthor(course_id, email, current_user, request.remote_addr or "")
    return jsonify({"user_id": user.id, "email": user.email, "name": user.name}), 201


@bp.delete("/courses/<course_id>/authors/<int:user_id>")
@login_required_api
def remove_author(course_id: str, user_id: int) -> tuple[str, int]:
    services.remove_coauthor(course_id, user_id, current_user, request.remote_addr or "")
    return "", 204
