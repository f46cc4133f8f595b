"""Learner pages: enrol, read a lesson, the "My learning" dashboard."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup
from werkzeug.wrappers import Response

from lms.auth.current import admit, claimed_user_id
from lms.catalog import services as catalog
from lms.certificates import services as certificates
from lms.errors import Unauthorized
from lms.extensions import login_manager
from lms.frame import render_page
from lms.i18n import current_language
from lms.learn import services
from lms.memo import Lru

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
def lesson(course_id: str, lesson_id: str) -> str | Response:
    """A lesson page. The most read page of all: the account is read in the same statement
    as the learner's facts (lms/auth/current.py), so the page is signed-in-only without
    ``login_required``'s statement of its own."""
    user_id = claimed_user_id()
    if user_id is None:
        return login_manager.unauthorized()
    try:
        visit = services.view_lesson(user_id, course_id, lesson_id)
    except Unauthorized:  # the account behind the session is gone
        admit(None)
        return login_manager.unauthorized()
    admit(visit.user)
    return render_page(visit.item.title, _lesson_body(visit))


# A lesson page's body (the lesson, its neighbours and the outline with what is done) is the
# same for every learner at the same point of the same version, in the same language: each
# process renders it once per such state. The frame around it is filled in for each request
# (lms/frame.py).
_BODIES: Lru[Markup] = Lru(16_000_000, weigh=len)  # characters, about 16 MB at most


def _lesson_body(visit: services.LessonVisit) -> Markup:
    version, progress = visit.version, visit.progress
    done = frozenset(key for key, status in progress.items.items() if status.done)
    key = (
        version.id,
        version.content_hash,
        visit.item.key,
        current_language(),
        request.script_root,
        progress.percent,
        done,
    )
    body = _BODIES.get(key)
    if body is None:
        items = catalog.outline_items(version)
        index = next(n for n, i in enumerate(items) if i.key == visit.item.key)
        body = Markup(
            render_template(
                "learn/_lesson_body.html",
                version=version,
                item=visit.item,
                html=visit.html,
                modules=catalog.outline(version),
                previous=items[index - 1] if index > 0 else None,
                next=items[index + 1] if index + 1 < len(items) else None,
                progress=progress,
            )
        )
        _BODIES.put(key, body)
    return body


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
