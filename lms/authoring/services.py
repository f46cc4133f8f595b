"""Importing and publishing course packages: one service behind the CLI, the API and pages."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any

from flask_babel import gettext as _
from sqlalchemy import select

from lms.admin import services as audit
from lms.auth.models import User
from lms.authoring.files import Limits, read_folder, read_zip
from lms.authoring.package import (
    LessonDef,
    PackageDef,
    guess_type,
    load_package,
    version_sort_key,
)
from lms.catalog.models import Asset, Course, CourseVersion, Item, Module
from lms.errors import Conflict, Forbidden, NotFound, PackageError
from lms.extensions import db
from lms.quiz.quizdef import quiz_to_json
from lms.timeutil import utcnow


def limits_from(config: Mapping[str, Any]) -> Limits:
    """The package limits an installation configured."""
    return Limits(
        max_files=int(config["PACKAGE_MAX_FILES"]),
        max_unzipped_bytes=int(config["PACKAGE_MAX_UNZIPPED_BYTES"]),
    )


def read_package(source: Path | IO[bytes] | bytes, limits: Limits) -> PackageDef:
    """Read and validate a folder or zip; raise PackageError with every problem."""
    if isinstance(source, Path) and source.is_dir():
        files, problems = read_folder(source, limits)
    elif isinstance(source, Path):
        if not source.exists():
            raise PackageError(
                details=[
                    {
                        "file": str(source),
                        "line": None,
                        "column": None,
                        "message": _("No such file or folder."),
                    }
                ]
            )
        with source.open("rb") as handle:
            files, problems = read_zip(handle, limits)
    else:
        files, problems = read_zip(source, limits)
    package = None
    if not problems:
        package, problems = load_package(files)
    if problems or package is None:
        raise PackageError(details=[problem.as_dict() for problem in problems])
    return package


def can_edit(user: User | None, course: Course) -> bool:
    """Owners and admins edit a course; the command line (no user) may do anything."""
    return user is None or user.is_admin or course.owner_id == user.id


def import_package(
    package: PackageDef, *, owner: User | None, publish: bool = False, origin: str = ""
) -> tuple[CourseVersion, bool]:
    """Store a validated package as a new course version; (version, created).

    The same id and version with identical content changes nothing (created is False);
    with other content it is refused with 409 version_exists.
    """
    course = db.session.get(Course, package.id)
    if course is not None and not can_edit(owner, course):
        raise Forbidden(_("This course belongs to another author."))
    if course is None:
        course = Course(id=package.id, owner_id=owner.id if owner else None)
        db.session.add(course)
        db.session.flush()
    existing = db.session.scalar(
        select(CourseVersion).where(
            CourseVersion.course_id == package.id, CourseVersion.version == package.version
        )
    )
    if existing is not None:
        if existing.content_hash != package.content_hash:
            raise Conflict(
                _(
                    "Version %(v)s of this course already exists with other content. "
                    "Raise the version in course.yaml.",
                    v=package.version,
                ),
                code="version_exists",
            )
        if publish and existing.status != "published":
            publish_version(existing, actor=owner, origin=origin)
        return existing, False
    latest = db.session.scalar(
        select(CourseVersion.sort_key)
        .where(CourseVersion.course_id == package.id)
        .order_by(CourseVersion.sort_key.desc())
        .limit(1)
    )
    if latest is not None and latest > version_sort_key(package.version):
        raise Conflict(
            _("A newer version of this course exists; a new import needs a higher version."),
            code="version_exists",
        )
    version = CourseVersion(
        course_id=package.id,
        version=package.version,
        sort_key=version_sort_key(package.version),
        status="draft",
        title=package.title,
        summary=package.summary,
        language=package.language,
        languages=list(package.languages),
        estimated_hours=package.estimated_hours,
        tags=list(package.tags),
        completion=dict(package.completion),
        certificate=dict(package.certificate),
        content_hash=package.content_hash,
    )
    db.session.add(version)
    position = 0
    for m_index, module_def in enumerate(package.modules):
        module = Module(key=module_def.id, position=m_index, title=module_def.title)
        version.modules.append(module)
        for item_def in module_def.items:
            position += 1
            if isinstance(item_def, LessonDef):
                item = Item(
                    key=item_def.id, kind="lesson", position=position, title=item_def.title,
                    minutes=item_def.minutes, html=item_def.html, data={"file": item_def.file},
                )  # fmt: skip
            else:
                item = Item(
                    key=item_def.id, kind="quiz", position=position, title=item_def.title,
                    data={"file": item_def.file, "quiz": quiz_to_json(item_def.quiz)},
                )  # fmt: skip
            item.course_version = version
            module.items.append(item)
    for path, blob in package.assets.items():
        db.session.add(
            Asset(
                course_version=version,
                path=path,
                content_type=guess_type(path),
                sha256=hashlib.sha256(blob).hexdigest(),
                size=len(blob),
                data=blob,
            )
        )
    db.session.flush()
    audit.record(
        "course.import",
        actor=owner,
        target=f"{package.id} {package.version}",
        origin=origin,
        details={"items": len(package.items), "assets": len(package.assets)},
    )
    if publish:
        publish_version(version, actor=owner, origin=origin)
    return version, True


def publish_version(
    version: CourseVersion, *, actor: User | None = None, origin: str = ""
) -> CourseVersion:
    """Make a version the one new learners get."""
    if version.status != "published":
        version.status = "published"
        version.published_at = utcnow()
        db.session.flush()
        audit.record(
            "course.publish",
            actor=actor,
            target=f"{version.course_id} {version.version}",
            origin=origin,
        )
    return version


def find_version(course_id: str, version: str) -> CourseVersion:
    found = db.session.scalar(
        select(CourseVersion).where(
            CourseVersion.course_id == course_id, CourseVersion.version == version
        )
    )
    if found is None:
        raise NotFound()
    return found


def publish(course_id: str, version: str, user: User | None, origin: str = "") -> CourseVersion:
    """Publish a version the user may edit."""
    found = find_version(course_id, version)
    if not can_edit(user, found.course):
        raise NotFound() if user is None or not user.is_author else Forbidden()
    return publish_version(found, actor=user, origin=origin)
