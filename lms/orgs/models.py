"""Organizations, who belongs to them, and the due dates they set for their staff's courses."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint, event, inspect, update
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

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
    # The member's name, kept here as well as on the account (the same, always: see
    # _member_names_follow_accounts below), so that an organization's lists sort their
    # people by name without reading every account: the first page of a course report
    # reads the 50 accounts it shows, not one per learner in the organization.
    member_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()
    organization: Mapped[Organization] = relationship()


@event.listens_for(Session, "after_flush")
def _member_names_follow_accounts(session: Session, _context: Any) -> None:
    """An account whose name changed in this flush renames its memberships in the same
    transaction, whichever service changed it."""
    for instance in session.dirty:
        if isinstance(instance, User) and inspect(instance).attrs.name.history.has_changes():
            session.connection().execute(
                update(OrgMembership.__table__)
                .where(OrgMembership.__table__.c.user_id == instance.id)
                .values(member_name=instance.name)
            )


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
