"""What a learner does: enrolments and lesson views."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.auth.models import User
from lms.catalog.models import Course, CourseVersion
from lms.extensions import db
from lms.timeutil import utcnow


class Enrollment(db.Model):  # type: ignore[name-defined]
    """A learner's place in a course: which version, and where they left off."""

    __tablename__ = "enrollments"
    __table_args__ = (
        UniqueConstraint("user_id", "course_id"),
        # A course's learners and their state, read from the index alone on PostgreSQL (the
        # organization report sorts and counts every learner of a course).
        Index(
            "ix_enrollments_course_learners",
            "course_id",
            "user_id",
            postgresql_include=["active", "progress_percent", "completed_at", "last_activity_at"],
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    course_version_id: Mapped[int] = mapped_column(ForeignKey("course_versions.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    enrolled_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_item_key: Mapped[str | None] = mapped_column(String(64))
    last_activity_at: Mapped[datetime | None]
    progress_percent: Mapped[float] = mapped_column(default=0.0)
    completed_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()
    course: Mapped[Course] = relationship()
    course_version: Mapped[CourseVersion] = relationship()


class LessonView(db.Model):  # type: ignore[name-defined]
    """A lesson a learner opened, keyed by course and lesson id so it survives new versions."""

    __tablename__ = "lesson_views"
    __table_args__ = (UniqueConstraint("user_id", "course_id", "item_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    item_key: Mapped[str] = mapped_column(String(64))
    first_viewed_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_viewed_at: Mapped[datetime] = mapped_column(default=utcnow)
