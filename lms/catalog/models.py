"""Courses as imported from packages: a course, its versions, modules, items and assets."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lms.extensions import db
from lms.timeutil import utcnow


class Course(db.Model):  # type: ignore[name-defined]
    """A course, identified by its package id; its content lives in versions."""

    __tablename__ = "courses"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    versions: Mapped[list[CourseVersion]] = relationship(
        back_populates="course", order_by="CourseVersion.id"
    )
    coauthors: Mapped[list[CourseAuthor]] = relationship(cascade="all, delete-orphan")


class CourseAuthor(db.Model):  # type: ignore[name-defined]
    """A co-author named by the course's owner: may upload, publish and preview its versions."""

    __tablename__ = "course_authors"

    course_id: Mapped[str] = mapped_column(
        ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


class CourseVersion(db.Model):  # type: ignore[name-defined]
    """One imported version of a course: draft until published, never changed afterwards."""

    __tablename__ = "course_versions"
    __table_args__ = (UniqueConstraint("course_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[str] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    version: Mapped[str] = mapped_column(String(40))
    sort_key: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(20), default="draft")
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(20))
    languages: Mapped[list[str]] = mapped_column(JSON, default=list)
    estimated_hours: Mapped[float | None]
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    completion: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    certificate: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prerequisites: Mapped[list[str]] = mapped_column(JSON, default=list)
    content_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]

    course: Mapped[Course] = relationship(back_populates="versions")
    modules: Mapped[list[Module]] = relationship(
        back_populates="course_version", order_by="Module.position", cascade="all, delete-orphan"
    )
    items: Mapped[list[Item]] = relationship(
        back_populates="course_version", order_by="Item.position", cascade="all, delete-orphan"
    )


class Module(db.Model):  # type: ignore[name-defined]
    """A titled group of items in a course version."""

    __tablename__ = "modules"
    __table_args__ = (UniqueConstraint("course_version_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_version_id: Mapped[int] = mapped_column(
        ForeignKey("course_versions.id", ondelete="CASCADE"), index=True
    )
    key: Mapped[str] = mapped_column(String(64))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))

    course_version: Mapped[CourseVersion] = relationship(back_populates="modules")
    items: Mapped[list[Item]] = relationship(back_populates="module", order_by="Item.position")


class Item(db.Model):  # type: ignore[name-defined]
    """A lesson, quiz or SCO; ``key`` is its id in the package, the join key across versions."""

    __tablename__ = "items"
    __table_args__ = (UniqueConstraint("course_version_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_version_id: Mapped[int] = mapped_column(
        ForeignKey("course_versions.id", ondelete="CASCADE"), index=True
    )
    module_id: Mapped[int] = mapped_column(ForeignKey("modules.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(20))
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(300))
    minutes: Mapped[int | None]
    html: Mapped[str | None] = mapped_column(Text, deferred=True)  # loaded only to show a lesson
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    course_version: Mapped[CourseVersion] = relationship(back_populates="items")
    module: Mapped[Module] = relationship(back_populates="items")

    @property
    def pass_mark(self) -> float:
        """A quiz's pass mark in percent (80 unless the quiz sets one)."""
        return float(self.data.get("quiz", {}).get("settings", {}).get("pass_mark", 80))

    @property
    def grading(self) -> str:
        """How a quiz's attempts make its score: highest, average, first or last."""
        return str(self.data.get("quiz", {}).get("settings", {}).get("grading", "highest"))


class Asset(db.Model):  # type: ignore[name-defined]
    """A file of a package, kept in the database so every server has it.

    Every file of the package is kept, so a version exports back to the zip it came from;
    only ``public`` ones (images, audio, video, PDFs, ...) are served. Quizzes hold their
    answers and are never public. Resized copies of an image have ``variant_of`` set.
    """

    __tablename__ = "assets"
    __table_args__ = (UniqueConstraint("course_version_id", "path"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_version_id: Mapped[int] = mapped_column(
        ForeignKey("course_versions.id", ondelete="CASCADE"), index=True
    )
    path: Mapped[str] = mapped_column(String(500))
    content_type: Mapped[str] = mapped_column(String(100))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int]
    public: Mapped[bool] = mapped_column(default=True)
    variant_of: Mapped[str | None] = mapped_column(String(500))
    width: Mapped[int | None]
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)

    course_version: Mapped[CourseVersion] = relationship()
