"""Authoring pages: upload a package and read its problems, versions, preview, publish."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response as BaseResponse

from lms.authoring import services
from lms.catalog import services as catalog
from lms.errors import Forbidden, LmsError, PackageError
from lms.quiz.grading import answers_from_form, grade_attempt, public_questions, select_questions
from lms.quiz.services import quiz_for_item

bp = Blueprint("authoring", __name__, url_prefix="/authoring")


@bp.before_request
@login_required
def require_author() -> None:
    if not current_user.is_author:
        raise Forbidden(_("Only course authors and admins may do this."))


def attachment(data: bytes, mimetype: str, name: str) -> Response:
    """A file to download under the given name."""
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _origin() -> str:
    return request.remote_addr or ""


def group_problems(details: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """Problems grouped by file, files in order, so each file's mistakes stand together."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for problem in details:
        grouped.setdefault(problem.get("file") or "(package)", []).append(problem)
    return sorted(grouped.items())


@bp.get("/")
def index() -> str:
    return render_template(
        "authoring/index.html", courses=services.courses_for_author(current_user), problems=None
    )


@bp.post("/upload")
def upload() -> BaseResponse | tuple[str, int]:
    upload_file = request.files.get("file")
    if upload_file is None or not upload_file.filename:
        flash(_("Choose a zip file of your course package."), "error")
        return redirect(url_for("authoring.index"))
    try:
        package = services.read_package(
            upload_file.stream, services.limits_from(current_app.config)
        )
        version, created = services.import_package(package, owner=current_user, origin=_origin())
    except PackageError as error:
        page = render_template(
            "authoring/index.html",
            courses=services.courses_for_author(current_user),
            problems=group_problems(error.details),
            count=len(error.details),
            filename=upload_file.filename,
        )
        return page, 422
    except LmsError as error:
        flash(error.message, "error")
        return redirect(url_for("authoring.index"))
    if created:
        flash(
            _("Version %(v)s is saved as a draft. Preview it, then publish.", v=version.version),
            "success",
        )
    else:
        flash(_("This version is already here with the same content; nothing changed."), "info")
    return redirect(url_for("authoring.course", course_id=version.course_id))


@bp.get("/courses/<course_id>")
def course(course_id: str) -> str:
    rows = services.versions_with_counts(course_id, current_user)
    course_row = services.editable_course(course_id, current_user)
    from lms.auth.models import User
    from lms.extensions import db

    coauthors = [db.session.get(User, link.user_id) for link in course_row.coauthors]
    return render_template(
        "authoring/course.html", course=course_row, rows=rows, coauthors=coauthors
    )


@bp.post("/courses/<course_id>/versions/<version>/publish")
def publish(course_id: str, version: str) -> BaseResponse:
    services.publish(course_id, version, current_user, _origin())
    flash(_("Version %(v)s is published: new learners get it.", v=version), "success")
    return redirect(url_for("authoring.course", course_id=course_id))


@bp.post("/courses/<course_id>/versions/<version>/move-learners")
def move_learners(course_id: str, version: str) -> BaseResponse:
    moved = services.move_learners(course_id, version, current_user, _origin())
    flash(_("%(n)d learner(s) moved to version %(v)s.", n=moved, v=version), "success")
    return redirect(url_for("authoring.course", course_id=course_id))


@bp.get("/courses/<course_id>/versions/<version>/export")
def export(course_id: str, version: str) -> Response:
    name, data = services.export_version(course_id, version, current_user)
    return attachment(data, "application/zip", name)


@bp.post("/courses/<course_id>/authors")
def add_author(course_id: str) -> BaseResponse:
    try:
        user = services.add_coauthor(
            course_id, request.form.get("email", ""), current_user, _origin()
        )
    except LmsError as error:
        flash(error.specific_message, "error")
    else:
        flash(_("%(name)s is now a co-author.", name=user.name), "success")
    return redirect(url_for("authoring.course", course_id=course_id))


@bp.post("/courses/<course_id>/authors/<int:user_id>/remove")
def remove_author(course_id: str, user_id: int) -> BaseResponse:
    services.remove_coauthor(course_id, user_id, current_user, _origin())
    return redirect(url_for("authoring.course", course_id=course_id))


def _preview_version(course_id: str, version: str) -> Any:
    services.editable_course(course_id, current_user)
    return catalog.course_version_for(course_id, current_user, version)


@bp.get("/courses/<course_id>/versions/<version>/preview")
def preview(course_id: str, version: str) -> str:
    found = _preview_version(course_id, version)
    return render_template(
        "authoring/preview.html", version=found, modules=catalog.outline(found), item=None
    )


@bp.get("/courses/<course_id>/versions/<version>/preview/<item_id>")
def preview_item(course_id: str, version: str, item_id: str) -> str:
    """A lesson, or a quiz to take, exactly as a learner sees it; nothing is recorded."""
    found = _preview_version(course_id, version)
    item = catalog.find_item(found, item_id)
    context: dict[str, Any] = {}
    if item.kind == "quiz":
        quiz = quiz_for_item(item)
        seed = 1
        ids = select_questions(quiz, seed)
        context = {"quiz": quiz, "questions": public_questions(quiz, ids, seed)}
    return render_template(
        "authoring/preview.html", version=found, modules=catalog.outline(found), item=item,
        **context,
    )  # fmt: skip


@bp.post("/courses/<course_id>/versions/<version>/preview/<item_id>")
def preview_grade(course_id: str, version: str, item_id: str) -> str:
    found = _preview_version(course_id, version)
    item = catalog.find_item(found, item_id, kind="quiz")
    quiz = quiz_for_item(item)
    seed = 1
    ids = select_questions(quiz, seed)
    questions = public_questions(quiz, ids, seed)
    form = {key: request.form.getlist(key) for key in request.form}
    grade = grade_attempt(quiz, ids, answers_from_form(questions, form), seed)
    return render_template(
        "authoring/preview.html", version=found, modules=catalog.outline(found), item=item,
        quiz=quiz, questions=questions, grade=grade,
    )  # fmt: skip


@bp.get("/grading")
def grading() -> str:
    """Essay answers waiting for a grade in the author's courses."""
    from lms.quiz.services import grading_queue

    return render_template("authoring/grading.html", queue=grading_queue(current_user))


@bp.post("/grading/<int:answer_id>")
def grade(answer_id: int) -> BaseResponse:
    from lms.quiz.services import grade_answer

    try:
        grade_answer(
            current_user,
            answer_id,
            request.form.get("points", ""),
            request.form.get("feedback", ""),
            _origin(),
        )
    except LmsError as error:
        flash(error.specific_message, "error")
    else:
        flash(_("Graded. The learner's result and progress are updated."), "success")
    return redirect(url_for("authoring.grading"))


@bp.get("/courses/<course_id>/quizzes/<quiz_id>/analysis")
def analysis(course_id: str, quiz_id: str) -> str:
    """Facility, discrimination and answer counts per question, with weak questions flagged."""
    result = _analysis(course_id, quiz_id)
    return render_template("authoring/analysis.html", result=result, course_id=course_id)


@bp.get("/courses/<course_id>/quizzes/<quiz_id>/analysis.csv")
def analysis_csv(course_id: str, quiz_id: str) -> Response:
    from lms.quiz.analysis import stats_csv

    result = _analysis(course_id, quiz_id)
    name = f"{course_id}-{quiz_id}-{result.version.version}-{result.which}.csv"
    return attachment(stats_csv(result.stats).encode("utf-8-sig"), "text/csv", name)


def _analysis(course_id: str, quiz_id: str) -> Any:
    """The quiz statistics the query string asks for (?version=, ?which=first|all)."""
    from lms.quiz.services import item_analysis

    return item_analysis(
        current_user,
        course_id,
        quiz_id,
        request.args.get("version") or None,
        request.args.get("which", "first"),
    )
