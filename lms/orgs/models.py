"""Organizations, who belongs to them, and the due dates they set for their staff's courses."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.auth.models import User
from lms.extensions import db
from lms.timeutil import utcnow

MEMBER_ROLES = ("member", "manager")


class Organization(db.Model):  # type: ignore[name-defined]
    """A ministry, agency or NGO that enrols its staff and follows who finished."""

    __tablename__ = "organizations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OrgMembership(db.Model):  # type: ignore[name-defined]
    """A person in an organization: a member (staff who learn) or a manager (who follows them)."""

    __tablename__ = "org_memberships"
    __table_args__ = (UniqueConstraint("org_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20), default="member")
    unit: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()
    organization: Mapped[Organization] = relationship()


class OrgCourseAssignment(db.Model):  # type: ignore[name-defined]
    """A course an organization expects one of its members to finish, by a due date.

    Kept apart from the enrolment: the due date is the organization's, not the learner's (a
    learner in two organizations may owe the same course to each by different dates), and
    leaving and rejoining a course keeps it.
    """

    __tablename__ = "org_course_assignments"
    __table_args__ = (UniqueConstraint("org_id", "user_id", "course_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_id: Mapped[int] = mapped_column(ForeignKey("organizations.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    due_date: Mapped[date | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
