"""Quiz pages: overview, an attempt as a plain form (save or submit), and its result."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.wrappers import Response

from lms.certificates import services as certificates
from lms.errors import InvalidInput
from lms.learn import services as learn
from lms.quiz import services
from lms.quiz.grading import answers_from_form, grade_attempt

bp = Blueprint("quiz", __name__)


@bp.route("/courses/<course_id>/quizzes/<quiz_id>")
@login_required
def show(course_id: str, quiz_id: str) -> str:
    overview = services.quiz_overview(current_user, course_id, quiz_id)
    attempts = overview.attempts
    submitted = [a for a in attempts if a.submitted_at is not None]
    results = learn.quiz_results([overview.item], attempts)
    return render_template(
        "quiz/show.html",
        item=overview.item,
        quiz=overview.quiz,
        attempts=attempts,
        open_attempt=next((a for a in attempts if a.submitted_at is None), None),
        attempts_left=services.attempts_left(overview.quiz, len(submitted)),
        status=results.get(quiz_id),
        version=overview.enrollment.course_version,
        course_id=course_id,
    )


@bp.route("/courses/<course_id>/quizzes/<quiz_id>/attempts", methods=["POST"])
@login_required
def start(course_id: str, quiz_id: str) -> Response:
    started = services.start_attempt(current_user, course_id, quiz_id)
    return redirect(url_for("quiz.attempt", attempt_id=started.attempt.public_id))


@bp.route("/attempts/<attempt_id>", methods=["GET", "POST"])
@login_required
def attempt(attempt_id: str) -> Response | str | tuple[str, int]:
    view = services.attempt_view(current_user, attempt_id)
    if view.attempt.submitted_at is not None:
        return redirect(url_for("quiz.result", attempt_id=attempt_id))
    errors: dict[str, str] = {}
    answers = dict(view.attempt.saved_answers or {})
    if request.method == "POST":
        form = {key: request.form.getlist(key) for key in request.form}
        answers = answers_from_form(view.questions, form)
        try:
            if request.form.get("action") == "autosave":  # the page's script, after a change
                services.save_answers(current_user, attempt_id, answers)
                return Response(status=204)
            if request.form.get("action") == "save":
                services.save_answers(current_user, attempt_id, answers)
                flash(_("Your answers are saved. You can come back to them later."), "success")
                return redirect(url_for("quiz.attempt", attempt_id=attempt_id))
            services.submit_attempt(current_user, attempt_id, answers)
            return redirect(url_for("quiz.result", attempt_id=attempt_id))
        except InvalidInput as error:
            for detail in error.details:
                errors[str(detail.get("field", "")).removeprefix("answers.")] = detail["message"]
    item_title = view.quiz.title
    return render_template(
        "quiz/attempt.html",
        view=view,
        answers=answers,
        errors=errors,
        title=item_title,
    ), (400 if errors else 200)


@bp.route("/attempts/<attempt_id>/result")
@login_required
def result(attempt_id: str) -> Response | str:
    view = services.attempt_view(current_user, attempt_id)
    attempt_row = view.attempt
    if attempt_row.submitted_at is None:
        return redirect(url_for("quiz.attempt", attempt_id=attempt_id))
    quiz = view.quiz
    grade = grade_attempt(
        quiz, attempt_row.question_ids, attempt_row.saved_answers or {}, attempt_row.seed
    )
    review = quiz.settings.review
    show_review = review == "after_submit" or (review == "after_pass" and bool(grade.passed))
    attempts = services.list_attempts(current_user, attempt_row.course_id, attempt_row.quiz_key)
    left = services.attempts_left(quiz, len([a for a in attempts if a.submitted_at]))
    certificate = certificates.current_certificate(current_user.id, attempt_row.course_id)
    enrollment = learn.find_enrollment(current_user, attempt_row.course_id)
    progress = learn.progress_for(enrollment) if enrollment else None
    from lms.quiz.grading import feedback_band

    return render_template(
        "quiz/result.html",
        view=view,
        grade=grade,
        show_review=show_review,
        band=feedback_band(quiz, grade.score_percent),
        attempts_left=left,
        certificate=certificate,
        progress=progress,
        questions_by_id={q["id"]: q for q in view.questions},
        stored={a.question_id: a for a in attempt_row.answers},
    )
