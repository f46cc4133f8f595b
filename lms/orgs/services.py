"""Organizations, their members and the course report. Services take the acting user and the
ids explicitly and flush; the request (or the CLI) commits.

Who may do what: admins everything; a manager of an organization its members, due dates,
reports and transcripts; a member sees the organization in their list (and their own
transcript) and gets 403 for the rest; everyone else gets 404, as if it did not exist.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import xlsxwriter
from flask_babel import gettext as _
from sqlalchemy import and_, case, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql import Select

from lms.admin import services as audit
from lms.auth.models import User
from lms.auth.services import find_user_by_email
from lms.catalog.models import CourseVersion
from lms.certificates import services as certificates
from lms.certificates.models import Certificate
from lms.errors import Conflict, Forbidden, InvalidInput, NotFound
from lms.extensions import db
from lms.learn import services as learn
from lms.learn.models import Enrollment
from lms.orgs.models import MEMBER_ROLES, Organization, OrgCourseAssignment, OrgMembership
from lms.quiz.analysis import safe_cell
from lms.timeutil import iso, utcnow

MAX_NAME = 200
MAX_UNIT = 200
REPORT_PER_PAGE_MAX = 200  # the report's ?per_page= may go higher than PER_PAGE_MAX


# --- who may see what ---------------------------------------------------------------------


@dataclass(frozen=True)
class OrgAccess:
    """An organization as one user sees it: their role in it (None for an admin outside it)."""

    organization: Organization
    role: str | None
    is_admin: bool

    @property
    def may_manage(self) -> bool:
        return self.is_admin or self.role == "manager"


def manages_any(user: User) -> bool:
    """Whether the user manages at least one organization (one indexed lookup)."""
    found = db.session.scalar(
        select(OrgMembership.id)
        .where(OrgMembership.user_id == user.id, OrgMembership.role == "manager")
        .limit(1)
    )
    return found is not None


def may_see_organizations(user: User) -> bool:
    """Admins and managers see the organization pages; so does anyone managing one."""
    return user.is_admin or user.role == "manager" or manages_any(user)


def access(user: User, org_id: int, manage: bool = True) -> OrgAccess:
    """The organization and the user's role in it, in one query.

    404 when it does not exist or the user is not part of it (and not an admin); 403 when
    ``manage`` is asked of a plain member, who can see the organization but not run it.
    """
    row = db.session.execute(
        select(Organization, OrgMembership.role)
        .outerjoin(
            OrgMembership,
            and_(OrgMembership.org_id == Organization.id, OrgMembership.user_id == user.id),
        )
        .where(Organization.id == org_id)
    ).first()
    if row is None or (row.role is None and not user.is_admin):
        raise NotFound(_("No organization has this id."))
    found = OrgAccess(row.Organization, row.role, user.is_admin)
    if manage and not found.may_manage:
        raise Forbidden(_("Only the organization's managers and admins may do this."))
    return found


def parse_org_id(raw: str) -> int:
    """An organization id from a URL: anything but a whole number names no organization."""
    if not raw.isdigit() or len(raw) > 9:
        raise NotFound(_("No organization has this id."))
    return int(raw)


def parse_user_id(raw: str) -> int:
    """A learner id from a URL: anything but a whole number names no learner."""
    if not raw.isdigit() or len(raw) > 9:
        raise NotFound(_("No learner with this id belongs to the organization."))
    return int(raw)


# --- organizations and members ------------------------------------------------------------


def _name_problem(name: Any) -> str | None:
    if not isinstance(name, str) or not name.strip():
        return _("Give the organization a name.")
    if len(name.strip()) > MAX_NAME:
        return _("Use at most %(n)d characters.", n=MAX_NAME)
    if any(ord(c) < 32 for c in name):
        return _("Use one line of text without control characters.")
    return None


def find_by_name(name: str) -> Organization | None:
    """An organization by name, ignoring case and surrounding spaces."""
    return db.session.scalar(
        select(Organization).where(func.lower(Organization.name) == name.strip().lower())
    )


def create_organization(name: Any, *, actor: User | None, origin: str = "") -> Organization:
    """A new organization (admins; the CLI passes no actor). 409 when the name is taken."""
    if actor is not None and not actor.is_admin:
        raise Forbidden(_("Only admins may create organizations."))
    problem = _name_problem(name)
    if problem:
        raise InvalidInput(details=[{"field": "name", "message": problem}])
    taken = _("An organization with this name already exists.")
    if find_by_name(name) is not None:
        raise Conflict(taken)
    organization = Organization(name=name.strip())
    try:
        with db.session.begin_nested():
            db.session.add(organization)
    except IntegrityError:  # created by a concurrent request a moment ago
        raise Conflict(taken) from None
    audit.record("org.create", actor=actor, target=organization.name, origin=origin)
    return organization


def visible_organizations(
    user: User, page: int = 1, per_page: int = 50, managing: bool = False
) -> tuple[list[tuple[Organization, str | None, int]], int]:
    """The organizations the user may see, by name: (organization, their role, member count)
    for one page, and the total. Admins see all; everyone else those they belong to (or,
    with ``managing``, those they manage)."""
    counts = (
        select(OrgMembership.org_id, func.count().label("members"))
        .group_by(OrgMembership.org_id)
        .subquery()
    )
    mine = (
        select(OrgMembership.org_id, OrgMembership.role)
        .where(OrgMembership.user_id == user.id)
        .subquery()
    )
    query = (
        select(Organization, mine.c.role, func.coalesce(counts.c.members, 0))
        .outerjoin(counts, counts.c.org_id == Organization.id)
        .outerjoin(mine, mine.c.org_id == Organization.id)
    )
    if not user.is_admin:
        query = query.where(mine.c.role == "manager" if managing else mine.c.role.is_not(None))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.execute(
        query.order_by(Organization.name, Organization.id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return [(row[0], row[1], int(row[2])) for row in rows], int(total)


@dataclass(frozen=True)
class AddedMember:
    membership: OrgMembership
    created: bool


def add_member(
    found: OrgAccess,
    email: Any,
    role: Any,
    unit: Any = None,
    *,
    actor: User | None,
    origin: str = "",
) -> AddedMember:
    """Put an existing account in the organization, or change its role and unit there.

    Adding a manager whose account is a plain learner makes the account a manager, so that
    every page can tell from the account alone (no query) that it leads somewhere.
    """
    errors = []
    if not isinstance(email, str) or not email.strip():
        errors.append({"field": "email", "message": _("Enter an email address.")})
    if role not in MEMBER_ROLES:
        errors.append({"field": "role", "message": _("Choose member or manager.")})
    if unit is not None and (not isinstance(unit, str) or len(unit.strip()) > MAX_UNIT):
        errors.append({"field": "unit", "message": _("Use at most %(n)d characters.", n=MAX_UNIT)})
    if errors:
        raise InvalidInput(details=errors)
    user = find_user_by_email(email)
    if user is None:
        message = _(
            "No account has this email. Joining an organization needs an account first "
            "(or its invitation)."
        )
        raise InvalidInput(details=[{"field": "email", "message": message}])
    org = found.organization
    unit_text = (unit.strip() or None) if isinstance(unit, str) else None
    membership = db.session.scalar(
        select(OrgMembership).where(
            OrgMembership.org_id == org.id, OrgMembership.user_id == user.id
        )
    )
    created = membership is None
    if membership is None:
        membership = OrgMembership(
            org_id=org.id, user_id=user.id, role=role, unit=unit_text, member_name=user.name
        )
        try:
            with db.session.begin_nested():
                db.session.add(membership)
        except IntegrityError:  # added by a concurrent request: change that one instead
            created = False
            membership = db.session.scalar(
                select(OrgMembership).where(
                    OrgMembership.org_id == org.id, OrgMembership.user_id == user.id
                )
            )
            if membership is None:
                raise
    if not created:
        membership.role = role
        if unit is not None:
            membership.unit = unit_text
    if role == "manager" and user.role == "learner":
        user.role = "manager"
    db.session.flush()
    audit.record(
        "org.member.add" if created else "org.member.change",
        actor=actor,
        target=f"{org.name}: {user.email}",
        origin=origin,
        details={"role": role, "unit": membership.unit},
    )
    return AddedMember(membership, created)


def members(
    found: OrgAccess, page: int = 1, per_page: int = 50
) -> tuple[list[tuple[OrgMembership, User]], int]:
    """One page of the organization's people, by name, and how many there are."""
    query = (
        select(OrgMembership, User)
        .join(User, User.id == OrgMembership.user_id)
        .where(OrgMembership.org_id == found.organization.id)
    )
    total = db.session.scalar(
        select(func.count())
        .select_from(OrgMembership)
        .where(OrgMembership.org_id == found.organization.id)
    )
    rows = db.session.execute(
        query.order_by(OrgMembership.member_name, OrgMembership.user_id)
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    return [(row[0], row[1]) for row in rows], int(total or 0)


@dataclass(frozen=True)
class OrgCourse:
    course_id: str
    title: str
    enrolled: int


def courses_of_members(found: OrgAccess) -> list[OrgCourse]:
    """The courses the organization's members are enrolled in, with how many, in one query."""
    rows = db.session.execute(
        select(Enrollment.course_id, func.max(CourseVersion.title), func.count())
        .join(OrgMembership, OrgMembership.user_id == Enrollment.user_id)
        .join(CourseVersion, CourseVersion.id == Enrollment.course_version_id)
        .where(OrgMembership.org_id == found.organization.id, Enrollment.active.is_(True))
        .group_by(Enrollment.course_id)
        .order_by(func.max(CourseVersion.title), Enrollment.course_id)
    ).all()
    return [OrgCourse(str(r[0]), str(r[1]), int(r[2])) for r in rows]


def _member_user(found: OrgAccess, user_id: int) -> User:
    """A member of this organization, or 404 (someone outside it is not the caller's to see)."""
    row = db.session.execute(
        select(User)
        .join(OrgMembership, OrgMembership.user_id == User.id)
        .where(OrgMembership.org_id == found.organization.id, User.id == user_id)
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(_("No learner with this id belongs to the organization."))
    return row


def parse_due_date(value: Any) -> date | None:
    """YYYY-MM-DD, or null to clear; 400 naming the field otherwise."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise InvalidInput(details=[{"field": "due_date", "message": _("A date as YYYY-MM-DD.")}])


def course_title(course_id: str) -> str:
    """The title of a course's newest published version (or newest version); 404 if none."""
    title = db.session.scalar(
        select(CourseVersion.title)
        .where(CourseVersion.course_id == course_id)
        .order_by((CourseVersion.status == "published").desc(), CourseVersion.sort_key.desc())
        .limit(1)
    )
    if title is None:
        raise NotFound(_("No course has this id."))
    return str(title)


def set_due_date(
    found: OrgAccess,
    user_id: int,
    course_id: str,
    due: Any,
    *,
    actor: User | None,
    origin: str = "",
) -> OrgCourseAssignment:
    """The date by which the organization expects a member to finish a course."""
    if not found.may_manage:
        raise Forbidden(_("Only the organization's managers and admins may do this."))
    user = _member_user(found, user_id)
    course_title(course_id)
    due_date = parse_due_date(due)
    org_id = found.organization.id
    assignment = db.session.scalar(
        select(OrgCourseAssignment).where(
            OrgCourseAssignment.org_id == org_id,
            OrgCourseAssignment.user_id == user.id,
            OrgCourseAssignment.course_id == course_id,
        )
    )
    if assignment is None:
        assignment = OrgCourseAssignment(org_id=org_id, user_id=user.id, course_id=course_id)
        db.session.add(assignment)
    assignment.due_date = due_date
    db.session.flush()
    audit.record(
        "org.due_date",
        actor=actor,
        target=f"{found.organization.name}: {user.email} {course_id}",
        origin=origin,
        details={"due_date": due_date.isoformat() if due_date else None},
    )
    return assignment


# --- the course report --------------------------------------------------------------------


@dataclass(frozen=True)
class ReportCounts:
    enrolled: int
    started: int
    completed: int
    certified: int
    overdue: int


@dataclass(frozen=True)
class ReportRow:
    user_id: int
    name: str
    email: str
    unit: str | None
    progress_percent: float
    completed_at: datetime | None
    certificate_code: str | None
    due_date: date | None


def _report_base(org_id: int, course_id: str, now: datetime) -> Select[Any]:
    """Members of the organization enrolled in the course, with their due date and valid
    certificate: one row per learner (one current certificate per learner and course is
    enforced by a partial unique index)."""
    return (
        select()
        .select_from(OrgMembership)
        .join(
            Enrollment,
            and_(
                Enrollment.user_id == OrgMembership.user_id,
                Enrollment.course_id == course_id,
                Enrollment.active.is_(True),
            ),
        )
        .outerjoin(
            OrgCourseAssignment,
            and_(
                OrgCourseAssignment.org_id == OrgMembership.org_id,
                OrgCourseAssignment.user_id == OrgMembership.user_id,
                OrgCourseAssignment.course_id == course_id,
            ),
        )
        .outerjoin(
            Certificate,
            and_(
                Certificate.user_id == OrgMembership.user_id,
                Certificate.course_id == course_id,
                Certificate.superseded_by.is_(None),
                Certificate.revoked_at.is_(None),
                or_(Certificate.expires_at.is_(None), Certificate.expires_at > now),
            ),
        )
        .where(OrgMembership.org_id == org_id)
    )


def _started() -> Any:
    return or_(
        Enrollment.completed_at.is_not(None),
        Enrollment.progress_percent > 0,
        Enrollment.last_activity_at.is_not(None),
    )


def _overdue(today: date) -> Any:
    return and_(Enrollment.completed_at.is_(None), OrgCourseAssignment.due_date < today)


def _tally(condition: Any) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def report_counts(found: OrgAccess, course_id: str, today: date) -> ReportCounts:
    """The summary in one aggregate query, whatever the number of learners."""
    row = db.session.execute(
        _report_base(found.organization.id, course_id, utcnow()).add_columns(
            func.count(),
            _tally(_started()),
            _tally(Enrollment.completed_at.is_not(None)),
            func.count(Certificate.id),
            _tally(_overdue(today)),
        )
    ).one()
    return ReportCounts(*(int(value or 0) for value in row))


_REPORT_COLUMNS = (
    OrgMembership.user_id,
    OrgMembership.member_name,
    OrgMembership.unit,
    Enrollment.progress_percent,
    Enrollment.completed_at,
    Certificate.code,
    OrgCourseAssignment.due_date,
)


def _with_accounts(rows: Any, *extra: Any) -> Select[Any]:
    """The learner table's columns (CSV_COLUMNS) from ``rows`` (a subquery of
    _REPORT_COLUMNS, sorted by the name on the membership), with the accounts' names and
    emails joined last: only the rows kept are looked up."""
    return (
        select(
            rows.c.user_id,
            User.name,
            User.email,
            rows.c.unit,
            rows.c.progress_percent,
            rows.c.completed_at,
            rows.c.code,
            rows.c.due_date,
            *extra,
        )
        .join(User, User.id == rows.c.user_id)
        .order_by(rows.c.member_name, rows.c.user_id)
    )


def report_page(
    found: OrgAccess, course_id: str, today: date, page: int, per_page: int
) -> tuple[ReportCounts, list[ReportRow]]:
    """The summary and one page of the learner table, by name, in one query: the counts are
    window aggregates over every learner, computed in the same pass that sorts them by the
    name each membership holds; the accounts are read for the page's rows only. A page past
    the end has no row to carry the counts, so only then are they asked for on their own."""

    def over(aggregate: Any) -> Any:
        return aggregate.over()

    window = (
        over(func.count()).label("enrolled"),
        over(func.sum(case((_started(), 1), else_=0))).label("started"),
        over(func.sum(case((Enrollment.completed_at.is_not(None), 1), else_=0))).label("completed"),
        over(func.count(Certificate.id)).label("certified"),
        over(func.sum(case((_overdue(today), 1), else_=0))).label("overdue"),
    )
    kept = (
        _report_base(found.organization.id, course_id, utcnow())
        .add_columns(*_REPORT_COLUMNS, *window)
        .order_by(OrgMembership.member_name, OrgMembership.user_id)
        .offset((page - 1) * per_page)
        .limit(per_page)
        .subquery()
    )
    query = _with_accounts(kept, *(kept.c[column.name] for column in window))
    rows = db.session.execute(query).all()
    width = len(CSV_COLUMNS)
    if rows:
        counts = ReportCounts(*(int(value or 0) for value in rows[0][width:]))
    elif page == 1:
        counts = ReportCounts(0, 0, 0, 0, 0)
    else:
        counts = report_counts(found, course_id, today)
    return counts, [ReportRow(*row[:width]) for row in rows]


def report_all(found: OrgAccess, course_id: str) -> Iterator[ReportRow]:
    """Every row of the learner table, read in one query and handed out in batches."""
    every = (
        _report_base(found.organization.id, course_id, utcnow())
        .add_columns(*_REPORT_COLUMNS)
        .subquery()
    )
    result = db.session.execute(_with_accounts(every).execution_options(yield_per=1000))
    for row in result:
        yield ReportRow(*row)


CSV_COLUMNS = (
    "user_id",
    "name",
    "email",
    "unit",
    "progress_percent",
    "completed_at",
    "certificate_code",
    "due_date",
)


def report_csv(rows: Iterator[ReportRow]) -> str:
    """The learner table as CSV (RFC 4180, CRLF). Text cells are guarded against formulas."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(
            [
                row.user_id,
                safe_cell(row.name),
                safe_cell(row.email),
                safe_cell(row.unit or ""),
                f"{row.progress_percent:g}",
                iso(row.completed_at) or "",
                row.certificate_code or "",
                row.due_date.isoformat() if row.due_date else "",
            ]
        )
    return out.getvalue()


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def report_xlsx(rows: Iterator[ReportRow], title: str) -> bytes:
    """The learner table as an Excel workbook: the CSV's columns, with numbers, dates and
    times as real cells (times in UTC), a frozen header and a filter. Every text cell is
    written as text, so a name like ``=HYPERLINK(...)`` is never a formula."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(
        out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False}
    )
    book.set_properties({"title": title})
    sheet = book.add_worksheet(_("Learners"))
    bold = book.add_format({"bold": True})
    when = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    day = book.add_format({"num_format": "yyyy-mm-dd"})
    for column, name in enumerate(CSV_COLUMNS):
        sheet.write_string(0, column, name, bold)
    line = 0
    for line, row in enumerate(rows, start=1):
        sheet.write_number(line, 0, row.user_id)
        sheet.write_string(line, 1, row.name)
        sheet.write_string(line, 2, row.email)
        sheet.write_string(line, 3, row.unit or "")
        sheet.write_number(line, 4, row.progress_percent)
        if row.completed_at is not None:
            sheet.write_datetime(line, 5, row.completed_at, when)
        sheet.write_string(line, 6, row.certificate_code or "")
        if row.due_date is not None:
            sheet.write_datetime(line, 7, datetime.combine(row.due_date, datetime.min.time()), day)
    for column, width in enumerate((8, 28, 32, 16, 16, 18, 22, 12)):
        sheet.set_column(column, column, width)
    sheet.freeze_panes(1, 0)
    sheet.autofilter(0, 0, line, len(CSV_COLUMNS) - 1)
    book.close()
    return out.getvalue()


# --- a learner's transcript ---------------------------------------------------------------


@dataclass(frozen=True)
class Transcript:
    user: User
    courses: list[dict[str, Any]]
    certificates: list[Certificate]


def transcript(caller: User, found: OrgAccess, user_id: int) -> Transcript:
    """A member's courses, progress, quiz scores and certificates, for the organization's
    managers and admins, and for the member themself."""
    if not found.may_manage and caller.id != user_id:
        raise Forbidden(_("Only the organization's managers and admins may do this."))
    learner = _member_user(found, user_id)
    enrollments = learn.my_enrollments(learner)
    progress = learn.progress_for_many(learner.id, enrollments)
    courses = []
    for enrollment in sorted(enrollments, key=lambda e: e.enrolled_at):
        mine = progress[enrollment.id]
        courses.append(
            {
                "course_id": enrollment.course_id,
                "title": enrollment.course_version.title,
                "version": enrollment.course_version.version,
                "enrolled_at": enrollment.enrolled_at,
                "progress_percent": mine.percent,
                "completed": mine.completed,
                "completed_at": enrollment.completed_at,
                "quizzes": [
                    {
                        "quiz_id": key,
                        "title": item.title,
                        "status": item.status,
                        "score_percent": item.score_percent,
                    }
                    for key, item in mine.items.items()
                    if item.kind == "quiz"
                ],
            }
        )
    return Transcript(learner, courses, certificates.my_certificates(learner))
