"""Learner pages: enrol, read a lesson, the "My learning" dashboard."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from lms.catalog import services as catalog
from lms.certificates import services as certificates
from lms.learn import services

bp = Blueprint("learn", __name__)


@bp.route("/courses/<course_id>/enroll", methods=["POST"])
@login_required
def enroll(course_id: str) -> Response:
    result = services.enroll(current_user, course_id)
    if result.created:
        flash(_("You are enrolled. Start with the first lesson."), "success")
    return redirect(url_for("learn.resume", course_id=course_id))


@bp.route("/courses/<course_id>/switch-version", methods=["POST"])
@login_required
def switch_version(course_id: str) -> Response:
    """Accept a newer published version; results carry over for every item still in it."""
    services.require_enrollment(current_user, course_id)
    result = services.enroll(current_user, course_id, request.form.get("version", ""))
    flash(_("You are now on version %(v)s.", v=result.enrollment.course_version.version), "success")
    return redirect(url_for("catalog.course", course_id=course_id))


@bp.route("/courses/<course_id>/unenroll", methods=["POST"])
@login_required
def unenroll(course_id: str) -> Response:
    services.unenroll(current_user, course_id)
    flash(_("You left the course. Your progress is kept if you come back."), "info")
    return redirect(url_for("catalog.course", course_id=course_id))


@bp.route("/courses/<course_id>/resume")
@login_required
def resume(course_id: str) -> Response:
    """Go to the first item not yet done (or the course page when all are done)."""
    enrollment = services.require_enrollment(current_user, course_id)
    progress = services.progress_for(enrollment)
    key = progress.next_item
    if key is None:
        return redirect(url_for("catalog.course", course_id=course_id))
    item = catalog.find_item(enrollment.course_version, key)
    if item.kind == "quiz":
        return redirect(url_for("quiz.show", course_id=course_id, quiz_id=key))
    return redirect(url_for("learn.lesson", course_id=course_id, lesson_id=key))


@bp.route("/courses/<course_id>/lessons/<lesson_id>")
@login_required
def lesson(course_id: str, lesson_id: str) -> str:
    visit = services.view_lesson(current_user, course_id, lesson_id)
    modules = catalog.outline(visit.enrollment.course_version)
    items = [i for m in modules for i in m.items]
    index = next(n for n, i in enumerate(items) if i.key == visit.item.key)
    return render_template(
        "learn/lesson.html",
        enrollment=visit.enrollment,
        version=visit.enrollment.course_version,
        item=visit.item,
        html=visit.html,
        modules=modules,
        previous=items[index - 1] if index > 0 else None,
        next=items[index + 1] if index + 1 < len(items) else None,
        progress=visit.progress,
    )


@bp.route("/my")
@login_required
def dashboard() -> str:
    enrollments = services.my_enrollments(current_user)
    progress = services.progress_for_many(current_user.id, enrollments)
    rows = []
    for enrollment in enrollments:
        mine = progress[enrollment.id]
        next_item = mine.items[mine.next_item] if mine.next_item else None
        rows.append((enrollment, mine, next_item))
    return render_template(
        "learn/dashboard.html",
        rows=rows,
        certificates=certificates.my_certificates(current_user),
    )
