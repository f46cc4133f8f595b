"""Catalog pages and course assets."""

from __future__ import annotations

import io

from flask import Blueprint, Response, render_template, request, send_file, url_for
from flask_login import current_user

from lms.catalog import services
from lms.learn import services as learn

bp = Blueprint("catalog", __name__)


def _page_arg() -> int:
    raw = request.args.get("page", "1")
    return int(raw) if raw.isdigit() and 0 < int(raw) < 100000 else 1


@bp.route("/")
def index() -> str:
    q = request.args.get("q", "")[:200]
    tag = request.args.get("tag", "")[:100]
    page = services.list_courses(q=q, tag=tag, page=_page_arg(), per_page=20)
    enrolled: set[str] = set()
    if current_user.is_authenticated:
        enrolled = {e.course_id for e in learn.my_enrollments(current_user)}
    # A card links each of its tags; the link is built once here, not with url_for per tag
    # (twenty cards hold a hundred tags, and each url_for costs more than the card's text).
    tag_link = url_for("catalog.index") + "?tag="
    return render_template(
        "catalog/index.html", page=page, q=q, tag=tag, enrolled=enrolled, tag_link=tag_link
    )


@bp.route("/courses/<course_id>")
def course(course_id: str) -> str:
    enrollment = None
    progress = None
    if current_user.is_authenticated:
        enrollment = learn.find_enrollment(current_user, course_id)
    version = services.course_version_for(
        course_id,
        current_user if current_user.is_authenticated else None,
        request.args.get("version") or None,
        enrollment.course_version_id if enrollment else None,
    )
    if enrollment is not None:
        progress = learn.progress_for(enrollment)
    modules = services.outline(version)
    newer = None
    if enrollment is not None:
        latest = services.latest_published(course_id)
        if latest is not None and latest.sort_key > version.sort_key:
            newer = latest
    return render_template(
        "catalog/course.html",
        newer=newer,
        version=version,
        modules=modules,
        enrollment=enrollment,
        progress=progress,
    )


@bp.route("/courses/<course_id>/assets/<version>/<path:path>")
def asset(course_id: str, version: str, path: str) -> Response:
    """A package file. A version's files never change, so they are cached for a year; ranges
    are served so a video can seek without downloading the whole file."""
    found = services.find_asset(course_id, version, path)
    response = send_file(
        io.BytesIO(found.data),
        mimetype=found.content_type,
        conditional=True,
        etag=found.sha256,
        max_age=31536000,
        download_name=found.path.rsplit("/", 1)[-1],
    )
    response.headers["Cache-Control"] = "public, max-age=31536000, immutable"
    # opened on its own, an author's file (an SVG, an HTML page) can run nothing
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'; sandbox"
    )
    return response
