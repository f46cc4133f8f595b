"""Quiz attempts: start, autosave, submit and grade on the server, list.

A submit is claimed with one conditional UPDATE, so a double-click or two servers grading the
same attempt at once give one grade; the loser gets 409 already_submitted.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from lms.auth.models import User
from lms.catalog import services as catalog
from lms.catalog.models import CourseVersion, Item
from lms.errors import Conflict, InvalidInput, NotFound
from lms.extensions import db
from lms.learn.models import Enrollment
from lms.learn.services import find_enrollment, refresh_progress, require_enrollment
from lms.quiz.grading import (
    AttemptGrade,
    check_answers,
    feedback_band,
    grade_attempt,
    public_questions,
    select_questions,
)
from lms.quiz.models import AttemptAnswer, QuizAttempt
from lms.quiz.questions import render_prompt
from lms.quiz.quizdef import Quiz, quiz_from_json
from lms.timeutil import utcnow

GRACE = timedelta(seconds=5)  # a submit in flight when the clock runs out still counts


@dataclass(frozen=True)
class StartedAttempt:
    attempt: QuizAttempt
    quiz: Quiz
    questions: list[dict[str, Any]]
    created: bool


@dataclass(frozen=True)
class SubmitResult:
    attempt: QuizAttempt
    quiz: Quiz
    grade: AttemptGrade
    attempts_left: int | None
    show_review: bool
    band: str | None


def quiz_for_item(item: Item) -> Quiz:
    return quiz_from_json(item.data["quiz"])


def _quiz_item(enrollment: Enrollment, quiz_id: str) -> Item:
    return catalog.find_item(enrollment.course_version, quiz_id, kind="quiz")


def _submitted_count(user: User, course_id: str, quiz_id: str) -> int:
    return int(
        db.session.scalar(
            select(func.count(QuizAttempt.id)).where(
                QuizAttempt.user_id == user.id,
                QuizAttempt.course_id == course_id,
                QuizAttempt.quiz_key == quiz_id,
                QuizAttempt.submitted_at.is_not(None),
            )
        )
        or 0
    )


def attempts_left(quiz: Quiz, submitted: int) -> int | None:
    """None means unlimited."""
    if not quiz.settings.max_attempts:
        return None
    return max(0, quiz.settings.max_attempts - submitted)


def open_attempt(user: User, course_id: str, quiz_id: str) -> QuizAttempt | None:
    return db.session.scalar(
        select(QuizAttempt).where(
            QuizAttempt.user_id == user.id,
            QuizAttempt.course_id == course_id,
            QuizAttempt.quiz_key == quiz_id,
            QuizAttempt.submitted_at.is_(None),
        )
    )


@dataclass(frozen=True)
class QuizOverview:
    enrollment: Enrollment
    item: Item
    quiz: Quiz
    attempts: list[QuizAttempt]


def quiz_overview(user: User, course_id: str, quiz_id: str) -> QuizOverview:
    """The quiz item, its definition and the learner's attempts (for the quiz page)."""
    enrollment = require_enrollment(user, course_id)
    item = _quiz_item(enrollment, quiz_id)
    return QuizOverview(
        enrollment, item, quiz_for_item(item), list_attempts(user, course_id, quiz_id)
    )


def start_attempt(
    user: User, course_id: str, quiz_id: str, now: datetime | None = None
) -> StartedAttempt:
    """Start an attempt, or return the one still open (created False); 409 when none are left."""
    now = now or utcnow()
    enrollment = require_enrollment(user, course_id)
    item = _quiz_item(enrollment, quiz_id)
    current = open_attempt(user, course_id, quiz_id)
    if current is not None:
        if current.deadline is None or now <= current.deadline + GRACE:
            quiz = _quiz_of_attempt(current)
            questions = public_questions(quiz, current.question_ids, current.seed)
            return StartedAttempt(current, quiz, questions, False)
        _grade_and_store(current, current.saved_answers or {}, now)
    quiz = quiz_for_item(item)
    submitted = _submitted_count(user, course_id, quiz_id)
    left = attempts_left(quiz, submitted)
    if left == 0:
        raise Conflict(_("You have used all your attempts at this quiz."), code="no_attempts_left")
    number = (
        db.session.scalar(
            select(func.max(QuizAttempt.number)).where(
                QuizAttempt.user_id == user.id,
                QuizAttempt.course_id == course_id,
                QuizAttempt.quiz_key == quiz_id,
            )
        )
        or 0
    ) + 1
    seed = secrets.randbits(62)
    limit = quiz.settings.time_limit_seconds
    attempt = QuizAttempt(
        public_id=secrets.token_urlsafe(12),
        user_id=user.id,
        course_id=course_id,
        course_version_id=enrollment.course_version_id,
        quiz_key=quiz_id,
        number=number,
        seed=seed,
        question_ids=select_questions(quiz, seed),
        saved_answers={},
        started_at=now,
        deadline=now + timedelta(seconds=limit) if limit else None,
    )
    try:
        with db.session.begin_nested():
            db.session.add(attempt)
    except IntegrityError:
        concurrent = open_attempt(user, course_id, quiz_id)
        if concurrent is None:
            raise Conflict() from None
        return StartedAttempt(
            concurrent,
            quiz,
            public_questions(quiz, concurrent.question_ids, concurrent.seed),
            False,
        )
    enrollment.last_item_key = quiz_id
    enrollment.last_activity_at = now
    db.session.flush()
    questions = public_questions(quiz, attempt.question_ids, seed)
    return StartedAttempt(attempt, quiz, questions, True)


def _quiz_of_attempt(attempt: QuizAttempt) -> Quiz:
    item = db.session.scalar(
        select(Item).where(
            Item.course_version_id == attempt.course_version_id, Item.key == attempt.quiz_key
        )
    )
    if item is None:
        raise NotFound()
    return quiz_for_item(item)


def find_attempt(user: User, attempt_id: str) -> QuizAttempt:
    """The user's own attempt; anybody else's is 404."""
    if not isinstance(attempt_id, str) or len(attempt_id) > 40:
        raise NotFound()
    attempt = db.session.scalar(select(QuizAttempt).where(QuizAttempt.public_id == attempt_id))
    if attempt is None or attempt.user_id != user.id:
        raise NotFound()
    return attempt


def attempt_view(user: User, attempt_id: str) -> StartedAttempt:
    attempt = find_attempt(user, attempt_id)
    quiz = _quiz_of_attempt(attempt)
    return StartedAttempt(
        attempt, quiz, public_questions(quiz, attempt.question_ids, attempt.seed), False
    )


def _validate(quiz: Quiz, attempt: QuizAttempt, answers: Any) -> dict[str, Any]:
    if not isinstance(answers, dict):
        raise InvalidInput(
            details=[{"field": "answers", "message": _("Answers are an object by question id.")}]
        )
    errors = check_answers(quiz, attempt.question_ids, answers, attempt.seed)
    if errors:
        raise InvalidInput(
            details=[{"field": f"answers.{qid}", "message": msg} for qid, msg in errors.items()]
        )
    return answers


def save_answers(
    user: User, attempt_id: str, answers: Any, now: datetime | None = None
) -> QuizAttempt:
    """Autosave: keep the answers given so far without submitting."""
    now = now or utcnow()
    attempt = find_attempt(user, attempt_id)
    if attempt.submitted_at is not None:
        raise Conflict(_("This attempt was already submitted."), code="already_submitted")
    if attempt.deadline is not None and now > attempt.deadline + GRACE:
        raise Conflict(_("The time for this attempt is over."), code="conflict")
    quiz = _quiz_of_attempt(attempt)
    valid = _validate(quiz, attempt, answers)
    attempt.saved_answers = {**(attempt.saved_answers or {}), **valid}
    db.session.flush()
    return attempt


def _grade_and_store(attempt: QuizAttempt, answers: dict[str, Any], now: datetime) -> AttemptGrade:
    """Claim the attempt with a conditional UPDATE, grade it and store each answer."""
    claimed = db.session.execute(
        update(QuizAttempt)
        .where(QuizAttempt.id == attempt.id, QuizAttempt.submitted_at.is_(None))
        .values(submitted_at=now)
        .execution_options(synchronize_session=False)
    )
    if claimed.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(_("This attempt was already submitted."), code="already_submitted")
    db.session.refresh(attempt)
    quiz = _quiz_of_attempt(attempt)
    grade = grade_attempt(quiz, attempt.question_ids, answers, attempt.seed)
    attempt.saved_answers = answers
    attempt.points = grade.points
    attempt.max_points = grade.max_points
    attempt.score_percent = grade.score_percent
    attempt.passed = grade.passed
    for position, question in enumerate(grade.questions):
        attempt.answers.append(
            AttemptAnswer(
                question_id=question.id,
                position=position,
                answer=answers.get(question.id),
                score=question.score,
                max_score=question.max_score,
                correct=question.correct,
                needs_grading=question.needs_manual_grading,
            )
        )
    db.session.flush()
    return grade


def submit_attempt(
    user: User, attempt_id: str, answers: Any, now: datetime | None = None
) -> SubmitResult:
    """Grade an attempt on the server; past the deadline, only what was saved in time counts."""
    now = now or utcnow()
    attempt = find_attempt(user, attempt_id)
    if attempt.submitted_at is not None:
        raise Conflict(_("This attempt was already submitted."), code="already_submitted")
    quiz = _quiz_of_attempt(attempt)
    if answers is None:
        answers = {}
    valid = _validate(quiz, attempt, answers)
    late = attempt.deadline is not None and now > attempt.deadline + GRACE
    final = (
        dict(attempt.saved_answers or {}) if late else {**(attempt.saved_answers or {}), **valid}
    )
    grade = _grade_and_store(attempt, final, now)
    enrollment = require_enrollment(user, attempt.course_id)
    enrollment.last_item_key = attempt.quiz_key
    enrollment.last_activity_at = now
    refresh_progress(enrollment)
    left = attempts_left(quiz, _submitted_count(user, attempt.course_id, attempt.quiz_key))
    review = quiz.settings.review
    show = review == "after_submit" or (review == "after_pass" and bool(grade.passed))
    return SubmitResult(attempt, quiz, grade, left, show, feedback_band(quiz, grade.score_percent))


def list_attempts(user: User, course_id: str, quiz_id: str) -> list[QuizAttempt]:
    return list(
        db.session.scalars(
            select(QuizAttempt)
            .where(
                QuizAttempt.user_id == user.id,
                QuizAttempt.course_id == course_id,
                QuizAttempt.quiz_key == quiz_id,
            )
            .order_by(QuizAttempt.number)
        )
    )


def course_version_of(attempt: QuizAttempt) -> CourseVersion | None:
    return db.session.get(CourseVersion, attempt.course_version_id)


@dataclass(frozen=True)
class AwaitingAnswer:
    answer: AttemptAnswer
    attempt: QuizAttempt
    learner_name: str
    course_title: str
    prompt_html: str


def grading_queue(user: User) -> list[AwaitingAnswer]:
    """Essay answers awaiting a grade in the courses the user edits (every course for admins)."""
    from lms.auth.models import User as UserModel
    from lms.catalog.models import Course
    from lms.catalog.services import can_edit

    rows = db.session.execute(
        select(AttemptAnswer, QuizAttempt, UserModel.name, CourseVersion.title)
        .join(QuizAttempt, AttemptAnswer.attempt_id == QuizAttempt.id)
        .join(UserModel, QuizAttempt.user_id == UserModel.id)
        .join(CourseVersion, QuizAttempt.course_version_id == CourseVersion.id)
        .where(AttemptAnswer.needs_grading.is_(True))
        .order_by(QuizAttempt.submitted_at)
    ).all()
    courses = {c.id: c for c in db.session.scalars(select(Course))}
    queue = []
    quizzes: dict[tuple[int, str], Quiz] = {}
    for answer, attempt, name, title in rows:
        course = courses.get(attempt.course_id)
        if course is None or not can_edit(user, course):
            continue
        key = (attempt.course_version_id, attempt.quiz_key)
        if key not in quizzes:
            quizzes[key] = _quiz_of_attempt(attempt)
        question = quizzes[key].question(answer.question_id)
        prompt = render_prompt(question.prompt) if question is not None else ""
        queue.append(AwaitingAnswer(answer, attempt, name, title, prompt))
    return queue


def grade_answer(
    grader: User, answer_id: int, points: Any, feedback: Any, origin: str = ""
) -> QuizAttempt:
    """A person's grade for an essay answer; the attempt's result, the learner's progress and
    (when the course is now complete) the certificate follow at once."""
    from lms.admin import services as audit
    from lms.catalog.models import Course
    from lms.catalog.services import can_edit

    answer = db.session.get(AttemptAnswer, answer_id) if isinstance(answer_id, int) else None
    attempt = answer.attempt if answer is not None else None
    course = db.session.get(Course, attempt.course_id) if attempt is not None else None
    if answer is None or attempt is None or course is None or not can_edit(grader, course):
        raise NotFound()
    if not answer.needs_grading:
        raise Conflict(_("This answer is already graded."), code="conflict")
    try:
        value = float(points)
    except (TypeError, ValueError):
        value = -1.0
    if isinstance(points, bool) or not 0 <= value <= answer.max_score:
        message = _("Give between 0 and %(max)s points.", max=answer.max_score)
        raise InvalidInput(details=[{"field": "points", "message": message}])
    if feedback is not None and (not isinstance(feedback, str) or len(feedback) > 10000):
        raise InvalidInput(
            details=[{"field": "feedback", "message": _("Text, at most 10,000 characters.")}]
        )
    answer.score = value
    answer.correct = value >= answer.max_score
    answer.needs_grading = False
    answer.grader_id = grader.id
    answer.graded_at = utcnow()
    answer.grader_feedback = (feedback or "").strip() or None
    db.session.flush()
    answers = list(attempt.answers)
    attempt.points = round(sum(a.score for a in answers), 4)
    attempt.score_percent = (
        round(100.0 * attempt.points / attempt.max_points, 2) if attempt.max_points else 100.0
    )
    if not any(a.needs_grading for a in answers):
        quiz = _quiz_of_attempt(attempt)
        attempt.passed = attempt.score_percent >= quiz.settings.pass_mark
    db.session.flush()
    audit.record("quiz.grade", actor=grader, target=attempt.public_id, origin=origin,
                 details={"question": answer.question_id, "points": value})  # fmt: skip
    from lms.auth.models import User as UserModel

    learner = db.session.get(UserModel, attempt.user_id)
    enrollment = find_enrollment(learner, attempt.course_id) if learner else None
    if enrollment is not None:
        refresh_progress(enrollment)
    return attempt


@dataclass(frozen=True)
class Analysis:
    version: CourseVersion
    quiz: Quiz
    which: str
    attempts: int
    stats: list[Any]


def item_analysis(
    user: User, course_id: str, quiz_id: str, version: str | None = None, which: str = "first"
) -> Analysis:
    """Moodle-style statistics for one quiz of a version, over first or all attempts."""
    from lms.catalog.services import can_edit
    from lms.quiz.analysis import AttemptRecord, analyse

    course = catalog.get_course(course_id)
    if not can_edit(user, course):
        raise NotFound()
    if which not in ("first", "all"):
        raise InvalidInput(details=[{"field": "which", "message": _("Either first or all.")}])
    found = catalog.course_version_for(course_id, user, version)
    item = catalog.find_item(found, quiz_id, kind="quiz")
    quiz = quiz_for_item(item)
    attempts = db.session.scalars(
        select(QuizAttempt)
        .where(
            QuizAttempt.course_version_id == found.id,
            QuizAttempt.quiz_key == quiz_id,
            QuizAttempt.submitted_at.is_not(None),
        )
        .order_by(QuizAttempt.user_id, QuizAttempt.number)
    ).all()
    answers = db.session.scalars(
        select(AttemptAnswer).where(AttemptAnswer.attempt_id.in_([a.id for a in attempts]))
    ).all()
    scores: dict[int, dict[str, float]] = {}
    for answer in answers:
        scores.setdefault(answer.attempt_id, {})[answer.question_id] = answer.score
    records = [
        AttemptRecord(
            attempt_id=a.public_id,
            user_id=a.user_id,
            number=a.number,
            seed=a.seed,
            question_ids=list(a.question_ids),
            answers=dict(a.saved_answers or {}),
            scores=scores.get(a.id, {}),
        )
        for a in attempts
    ]
    stats = analyse(quiz, records, which)
    counted = len({r.user_id for r in records}) if which == "first" else len(records)
    return Analysis(found, quiz, which, counted, stats)
