"""Enrolment, lesson views and progress. Services take the user and flush; views commit."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Protocol

from flask_babel import gettext as _
from sqlalchemy import (
    Float,
    and_,
    bindparam,
    cast,
    literal_column,
    null,
    select,
    union_all,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload
from sqlalchemy.sql.selectable import CompoundSelect

from lms.auth.models import User
from lms.auth.services import USER_COLUMNS, user_from_row
from lms.catalog import services as catalog
from lms.catalog.models import CourseVersion
from lms.catalog.services import OutlineItem
from lms.certificates.models import Certificate
from lms.certificates.services import IssueContext, issue_if_complete
from lms.database import DriverRead, read_rows
from lms.errors import Forbidden, InvalidInput, NotEnrolled, NotFound, Unauthorized
from lms.extensions import db
from lms.learn.models import Enrollment, LessonView
from lms.learn.progress import ItemFact, Progress, QuizResult, compute_progress
from lms.memo import Lru
from lms.quiz.grading import aggregate_score
from lms.quiz.models import QuizAttempt
from lms.timeutil import utcnow


@dataclass(frozen=True)
class EnrollResult:
    enrollment: Enrollment
    created: bool


# The statements every lesson view and progress read runs, built once: building a statement
# costs more than running it on an indexed row (docs/architecture.md, "The hot path").
_ENROLLMENT = (
    select(Enrollment)
    .where(Enrollment.user_id == bindparam("user_id"), Enrollment.course_id == bindparam("course"))
    .options(joinedload(Enrollment.course_version))
)
_VIEWS = select(LessonView.course_id, LessonView.item_key, LessonView.last_viewed_at).where(
    LessonView.user_id == bindparam("user_id"),
    LessonView.course_id.in_(bindparam("courses", expanding=True)),
)
_ATTEMPTS = select(
    QuizAttempt.course_id,
    QuizAttempt.quiz_key,
    QuizAttempt.number,
    QuizAttempt.submitted_at,
    QuizAttempt.passed,
    QuizAttempt.score_percent,
).where(
    QuizAttempt.user_id == bindparam("user_id"),
    QuizAttempt.course_id.in_(bindparam("courses", expanding=True)),
)


def find_enrollment(user: User, course_id: str) -> Enrollment | None:
    """The user's active enrolment in a course (with its version), or None."""
    enrollment = db.session.scalar(_ENROLLMENT, {"user_id": user.id, "course": course_id})
    return enrollment if enrollment is not None and enrollment.active else None


def require_enrollment(user: User, course_id: str) -> Enrollment:
    """The active enrolment (with its version, in one query), or 404 for an unknown course
    and 403 not_enrolled otherwise."""
    enrollment = db.session.scalar(_ENROLLMENT, {"user_id": user.id, "course": course_id})
    if enrollment is None or not enrollment.active:
        catalog.get_course(course_id)  # 404 when the course does not exist at all
        raise NotEnrolled()
    return enrollment


def enroll(user: User, course_id: str, version: str | None = None) -> EnrollResult:
    """Enrol in the latest published version (or move an enrolled learner to ``version``)."""
    catalog.get_course(course_id)
    target: CourseVersion | None
    if version is not None:
        if not isinstance(version, str):
            raise InvalidInput(details=[{"field": "version", "message": _("Not a version.")}])
        target = db.session.scalar(
            select(CourseVersion).where(
                CourseVersion.course_id == course_id,
                CourseVersion.version == version,
                CourseVersion.status == "published",
            )
        )
        if target is None:
            raise InvalidInput(
                details=[{"field": "version", "message": _("No published version by that name.")}]
            )
    else:
        target = catalog.latest_published(course_id)
        if target is None:
            raise NotFound()
    existing = db.session.scalar(
        select(Enrollment).where(Enrollment.user_id == user.id, Enrollment.course_id == course_id)
    )
    if existing is None or not existing.active:
        check_prerequisites(user, target)
    if existing is not None:
        created = not existing.active
        existing.active = True
        if version is not None or created:
            existing.course_version_id = target.id
        db.session.flush()
        refresh_progress(existing)
        return EnrollResult(existing, created)
    enrollment = Enrollment(user_id=user.id, course_id=course_id, course_version_id=target.id)
    try:
        with db.session.begin_nested():
            db.session.add(enrollment)
    except IntegrityError:
        # a concurrent request enrolled the same learner first
        found = find_enrollment(user, course_id)
        if found is None:
            raise
        return EnrollResult(found, False)
    db.session.flush()
    refresh_progress(enrollment)
    return EnrollResult(enrollment, True)


def missing_prerequisites(user: User, version: CourseVersion) -> list[str]:
    """The prerequisite courses whose valid certificate the learner does not hold."""
    wanted = list(version.prerequisites or [])
    if not wanted:
        return []
    held = {
        c.course_id
        for c in db.session.scalars(
            select(Certificate).where(
                Certificate.user_id == user.id,
                Certificate.course_id.in_(wanted),
                Certificate.superseded_by.is_(None),
            )
        )
        if c.status_at() == "valid"
    }
    return [course_id for course_id in wanted if course_id not in held]


def check_prerequisites(user: User, version: CourseVersion) -> None:
    """403 naming each prerequisite course still to complete."""
    missing = missing_prerequisites(user, version)
    if not missing:
        return
    titles = {
        v.course_id: v.title
        for v in db.session.scalars(
            select(CourseVersion).where(
                CourseVersion.course_id.in_(missing), CourseVersion.status == "published"
            )
        )
    }
    names = ", ".join(titles.get(course_id, course_id) for course_id in missing)
    raise Forbidden(
        _("First complete, with a certificate: %(courses)s.", courses=names),
        details=[{"course_id": c, "title": titles.get(c, c)} for c in missing],
    )


def unenroll(user: User, course_id: str) -> None:
    """Leave a course; lesson views and attempts stay for a later re-enrolment."""
    enrollment = require_enrollment(user, course_id)
    enrollment.active = False
    db.session.flush()


@dataclass(frozen=True)
class LessonVisit:
    user: User  # the account, as read with the learner's facts
    version: catalog.VersionFacts
    item: OutlineItem
    html: str
    progress: Progress


# A learner re-reading a lesson changes no fact; the view's time and the activity time are
# written again only when older than this, so re-reads and reloads cost no write.
TOUCH_AFTER = timedelta(minutes=5)

# Progress is a pure function of the version's content and the learner's facts in it; a
# cohort re-reading lessons keeps arriving with the same few sets of facts.
_PROGRESS: Lru[Progress] = Lru(1024)  # a few KB each

# A lesson view reads everything it needs about the person in one statement (one round trip
# to the database, rows rather than ORM objects): the account (a page reads it here rather
# than in a statement of its own, lms/auth/current.py), the enrolment in the course with its
# version's content hash (which names the cached outline, HTML and facts of the version),
# the lesson views and the quiz attempts, each row tagged with what it is. The account and
# the enrolment share the first row; a re-read needs nothing more.
_NO_USER = [null()] * len(USER_COLUMNS)
_FACTS_IN_COURSE: CompoundSelect = union_all(
    select(
        literal_column("'enrollment'").label("kind"),
        Enrollment.last_item_key.label("key"),
        Enrollment.last_activity_at.label("at"),
        Enrollment.id.label("number"),
        Enrollment.course_version_id.label("version_id"),
        Enrollment.active.label("flag"),
        CourseVersion.content_hash.label("content_hash"),
        cast(null(), Float).label("score"),
        *(column.label(f"user_{column.key}") for column in USER_COLUMNS),
    )
    .select_from(User)
    .outerjoin(
        Enrollment,
        and_(Enrollment.user_id == User.id, Enrollment.course_id == bindparam("course")),
    )
    .outerjoin(CourseVersion, CourseVersion.id == Enrollment.course_version_id)
    .where(User.id == bindparam("user_id")),
    select(
        literal_column("'view'"),
        LessonView.item_key,
        LessonView.last_viewed_at,
        null(),
        null(),
        null(),
        null(),
        null(),
        *_NO_USER,
    ).where(
        LessonView.user_id == bindparam("user_id"), LessonView.course_id == bindparam("course")
    ),
    select(
        literal_column("'attempt'"),
        QuizAttempt.quiz_key,
        QuizAttempt.submitted_at,
        QuizAttempt.number,
        null(),
        QuizAttempt.passed,
        null(),
        QuizAttempt.score_percent,
        *_NO_USER,
    ).where(
        QuizAttempt.user_id == bindparam("user_id"), QuizAttempt.course_id == bindparam("course")
    ),
)


# First thing in a lesson request, before anything is written: run on the driver directly
# (lms.database.DriverRead), without the ORM session's per-request machinery.
_FACTS_READ = DriverRead(_FACTS_IN_COURSE)


@dataclass(frozen=True)
class _EnrollmentState:
    id: int
    active: bool
    course_version_id: int
    content_hash: str
    last_item_key: str | None
    last_activity_at: datetime | None


@dataclass(frozen=True)
class _Attempt:
    quiz_key: str
    number: int
    submitted_at: datetime | None
    passed: bool | None
    score_percent: float | None


@dataclass(frozen=True)
class _Facts:
    user: User | None  # None: the account is gone
    enrollment: _EnrollmentState | None
    views: dict[str, datetime]  # lesson key: last viewed
    attempts: tuple[_Attempt, ...]


def _facts_in_course(user_id: int, course_id: str) -> _Facts:
    """The account, and its enrolment, lesson views and attempts in a course."""
    user: User | None = None
    state: _EnrollmentState | None = None
    views: dict[str, datetime] = {}
    attempts: list[_Attempt] = []
    rows = read_rows(db.session, db.engine, _FACTS_READ, {"user_id": user_id, "course": course_id})
    width = len(USER_COLUMNS)
    for row in rows:
        kind, key, at, number, version_id, flag, content_hash, score = row[:-width]
        if kind == "view":
            views[key] = at
        elif kind == "attempt":
            attempts.append(_Attempt(key, number, at, flag, score))
        else:
            user = user_from_row(row[-width:], attach=False)
            if number is not None:
                state = _EnrollmentState(number, bool(flag), version_id, content_hash, key, at)
    attempts.sort(key=lambda a: (a.quiz_key, a.number))
    return _Facts(user, state, views, tuple(attempts))


def view_lesson(user_id: int, course_id: str, lesson_id: str) -> LessonVisit:
    """Open a lesson: it must be in the learner's version; the view is recorded.

    A first view is a new fact: it is stored and progress recomputed (and a certificate
    issued if it completes the course). A re-read only moves the resume point: one
    statement reads the account and the learner's facts as rows, and the version's content
    comes from this process's cache. Unauthorized when the account no longer exists.
    """
    facts = _facts_in_course(user_id, course_id)
    user = facts.user
    if user is None:
        raise Unauthorized()
    state, views, attempts = facts.enrollment, facts.views, facts.attempts
    if state is None or not state.active:
        require_enrollment(user, course_id)  # answers 404, or 403 not_enrolled
        facts = _facts_in_course(user_id, course_id)  # enrolled just now
        state, views, attempts = facts.enrollment, facts.views, facts.attempts
        if state is None:
            raise NotEnrolled()
    version = catalog.version_facts(state.course_version_id, state.content_hash)
    item = next((i for i in catalog.outline_items(version) if i.key == lesson_id), None)
    if item is None or item.kind != "lesson":
        raise NotFound()
    html = catalog.lesson_html(version, lesson_id)
    now = utcnow()
    if lesson_id not in views:
        first = _first_view(user, course_id, lesson_id, now)
        return LessonVisit(user, version, item, html, first)
    if _stale(views[lesson_id], now):
        db.session.execute(
            update(LessonView)
            .where(
                LessonView.user_id == user_id,
                LessonView.course_id == course_id,
                LessonView.item_key == lesson_id,
            )
            .values(last_viewed_at=now)
            .execution_options(synchronize_session=False)
        )
    if state.last_item_key != lesson_id or _stale(state.last_activity_at, now):
        db.session.execute(
            update(Enrollment)
            .where(Enrollment.id == state.id)
            .values(last_item_key=lesson_id, last_activity_at=now)
            .execution_options(synchronize_session=False)
        )
    key = (version.id, version.content_hash, frozenset(views), attempts)
    progress = _PROGRESS.get(key)
    if progress is None:
        progress = _progress(
            catalog.outline_items(version), version.completion, set(views), attempts
        )
        _PROGRESS.put(key, progress)
    return LessonVisit(user, version, item, html, progress)


def _first_view(user: User, course_id: str, lesson_id: str, now: datetime) -> Progress:
    """Store a first view of a lesson and recompute progress (a certificate may follow)."""
    try:
        with db.session.begin_nested():
            db.session.add(LessonView(user_id=user.id, course_id=course_id, item_key=lesson_id))
    except IntegrityError:
        pass  # viewed concurrently: one row is all we need
    enrollment = require_enrollment(user, course_id)
    enrollment.last_item_key = lesson_id
    enrollment.last_activity_at = now
    db.session.flush()
    return refresh_progress(enrollment)


def _stale(moment: datetime | None, now: datetime) -> bool:
    if moment is None:
        return True
    if moment.tzinfo is not None:  # stored times are UTC; compare them without a zone
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return now - moment >= TOUCH_AFTER


class QuizRule(Protocol):
    """What grading a quiz's attempts into a result needs: an Item or an OutlineItem."""

    @property
    def key(self) -> str: ...
    @property
    def pass_mark(self) -> float: ...
    @property
    def grading(self) -> str: ...


class AttemptFacts(Protocol):
    """What a quiz result is made of: a QuizAttempt or a row of its columns."""

    @property
    def quiz_key(self) -> str: ...
    @property
    def number(self) -> int: ...
    @property
    def submitted_at(self) -> datetime | None: ...
    @property
    def passed(self) -> bool | None: ...
    @property
    def score_percent(self) -> Any: ...


def quiz_results(
    quiz_items: Sequence[QuizRule], attempts: Sequence[AttemptFacts]
) -> dict[str, QuizResult]:
    """Each quiz's graded result over the learner's attempts, by the quiz's grading method."""
    by_quiz: dict[str, list[AttemptFacts]] = {}
    for attempt in sorted(attempts, key=lambda a: a.number):
        by_quiz.setdefault(attempt.quiz_key, []).append(attempt)
    results: dict[str, QuizResult] = {}
    for item in quiz_items:
        mine = by_quiz.get(item.key, [])
        graded = [a for a in mine if a.submitted_at and a.passed is not None]
        awaiting = any(a.submitted_at and a.passed is None for a in mine)
        scores = [float(a.score_percent or 0) for a in graded]
        score = aggregate_score(item.grading, scores) if scores else None
        passed = score is not None and score >= item.pass_mark
        if not mine:
            results[item.key] = QuizResult("not_started", None)
        elif passed:
            results[item.key] = QuizResult("passed", score)
        elif awaiting:  # an essay awaits a person; it may yet pass
            results[item.key] = QuizResult("awaiting_grading", score)
        elif scores:
            results[item.key] = QuizResult("failed", score)
        else:
            results[item.key] = QuizResult("incomplete", None)
    return results


def progress_for_many(
    user_id: int, enrollments: list[Enrollment], viewed: set[tuple[str, str]] | None = None
) -> dict[int, Progress]:
    """Progress in several courses at once, in two queries whatever their number (and two
    more for outlines this process has not read yet). ``viewed`` holds the learner's
    (course, lesson) views when the caller has just read them."""
    if not enrollments:
        return {}
    course_ids = {e.course_id for e in enrollments}
    outlines = catalog.outlines([e.course_version for e in enrollments])
    params = {"user_id": user_id, "courses": sorted(course_ids)}
    if viewed is None:
        viewed = {(row.course_id, row.item_key) for row in db.session.execute(_VIEWS, params)}
    attempts = db.session.execute(_ATTEMPTS, params).all()
    found: dict[int, Progress] = {}
    for enrollment in enrollments:
        found[enrollment.id] = _progress(
            [i for m in outlines[enrollment.course_version_id] for i in m.items],
            enrollment.course_version.completion or {},
            {key for course, key in viewed if course == enrollment.course_id},
            [a for a in attempts if a.course_id == enrollment.course_id],
        )
    return found


def _progress(
    items: list[OutlineItem],
    completion: dict[str, str],
    viewed: set[str],
    attempts: Sequence[AttemptFacts],
) -> Progress:
    """Progress in one course from its outline, its rule and the learner's facts there."""
    results = quiz_results([i for i in items if i.kind == "quiz"], attempts)
    facts = [ItemFact(i.key, i.kind, i.title) for i in items]
    return compute_progress(facts, viewed, results, completion)


def progress_for(enrollment: Enrollment) -> Progress:
    """The learner's progress in their version of the course."""
    return progress_for_many(enrollment.user_id, [enrollment])[enrollment.id]


def refresh_progress(enrollment: Enrollment, context: IssueContext | None = None) -> Progress:
    """Recompute and store progress; on completion, record it and issue the certificate.

    The enrolment row is locked first (a no-op UPDATE: a row lock on PostgreSQL, the write
    lock on SQLite), so a lesson view and a quiz submit finishing at the same moment are
    counted one after the other: the second sees the first's facts, and the course that the
    pair completes gets its certificate.
    """
    db.session.execute(
        update(Enrollment)
        .where(Enrollment.id == enrollment.id)
        .values(progress_percent=Enrollment.progress_percent)
        .execution_options(synchronize_session=False)
    )
    progress = progress_for(enrollment)
    enrollment.progress_percent = progress.percent
    if progress.completed and enrollment.completed_at is None:
        enrollment.completed_at = utcnow()
    db.session.flush()
    if progress.completed:
        issue_if_complete(enrollment.user, enrollment.course_version, context)
    return progress


def my_enrollments(user: User) -> list[Enrollment]:
    """Active enrolments, most recently used first."""
    return list(
        db.session.scalars(
            select(Enrollment)
            .where(Enrollment.user_id == user.id, Enrollment.active.is_(True))
            .options(joinedload(Enrollment.course_version))
            .order_by(
                Enrollment.last_activity_at.desc().nulls_last(), Enrollment.enrolled_at.desc()
            )
        )
    )
