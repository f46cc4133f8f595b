"""Importing and publishing course packages: one service behind the CLI, the API and pages."""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from lms.admin import services as audit
from lms.auth.models import User
from lms.auth.services import find_user_by_email
from lms.authoring.files import Limits, read_folder, read_zip
from lms.authoring.images import variant_path, web_variants
from lms.authoring.package import (
    LessonDef,
    PackageDef,
    file_digest,
    guess_type,
    is_public,
    load_package,
    version_sort_key,
)
from lms.catalog.models import Asset, Course, CourseAuthor, CourseVersion, Item, Module
from lms.catalog.services import can_edit
from lms.errors import Conflict, Forbidden, InvalidInput, NotFound, PackageError
from lms.extensions import db
from lms.learn.models import Enrollment
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
    files: Mapping[str, bytes]
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
        # left open: the files are read from the zip lazily, while they are stored
        files, problems = read_zip(source.open("rb"), limits)
    else:
        files, problems = read_zip(source, limits)
    package = None
    if not problems:
        package, problems = load_package(files)
    if problems or package is None:
        raise PackageError(details=[problem.as_dict() for problem in problems])
    return package


def editable_course(course_id: str, user: User | None) -> Course:
    """A course the user may edit; 404 when they may not even know of it."""
    course = db.session.get(Course, course_id)
    if course is None or not can_edit(user, course):
        raise NotFound()
    return course


def courses_for_author(user: User) -> list[Course]:
    """The courses a user owns or co-authors (all of them for admins)."""
    query = select(Course).order_by(Course.id)
    if not user.is_admin:
        query = query.where(
            (Course.owner_id == user.id)
            | Course.id.in_(select(CourseAuthor.course_id).where(CourseAuthor.user_id == user.id))
        )
    return list(db.session.scalars(query))


def add_coauthor(course_id: str, email: str, actor: User, origin: str = "") -> User:
    """Name a co-author; only the owner or an admin may."""
    course = editable_course(course_id, actor)
    if not (actor.is_admin or course.owner_id == actor.id):
        raise Forbidden(_("Only the course's owner names co-authors."))
    user = find_user_by_email(email or "")
    if user is None or not user.is_author:
        raise InvalidInput(
            details=[{"field": "email", "message": _("No author account has this email.")}]
        )
    if user.id != course.owner_id and all(c.user_id != user.id for c in course.coauthors):
        course.coauthors.append(CourseAuthor(user_id=user.id))
        db.session.flush()
        audit.record("course.coauthor_add", actor=actor, target=course_id, origin=origin,
                     details={"coauthor": user.email})  # fmt: skip
    return user


def remove_coauthor(course_id: str, user_id: int, actor: User, origin: str = "") -> None:
    course = editable_course(course_id, actor)
    if not (actor.is_admin or course.owner_id == actor.id):
        raise Forbidden(_("Only the course's owner names co-authors."))
    for link in list(course.coauthors):
        if link.user_id == user_id:
            course.coauthors.remove(link)
            audit.record("course.coauthor_remove", actor=actor, target=course_id, origin=origin,
                         details={"user_id": user_id})  # fmt: skip
    db.session.flush()


@dataclass(frozen=True)
class VersionRow:
    version: CourseVersion
    enrolled: int


def versions_with_counts(course_id: str, user: User) -> list[VersionRow]:
    """Every version of a course the user edits, oldest first, with active enrolments."""
    editable_course(course_id, user)
    counts = dict(
        db.session.execute(
            select(Enrollment.course_version_id, func.count(Enrollment.id))
            .where(Enrollment.course_id == course_id, Enrollment.active.is_(True))
            .group_by(Enrollment.course_version_id)
        ).all()
    )
    rows = db.session.scalars(
        select(CourseVersion)
        .where(CourseVersion.course_id == course_id)
        .order_by(CourseVersion.sort_key)
    )
    return [VersionRow(v, int(counts.get(v.id, 0))) for v in rows]


def move_learners(course_id: str, version: str, actor: User, origin: str = "") -> int:
    """Move every enrolled learner to a published version; results carry over by item id."""
    editable_course(course_id, actor)
    target = find_version(course_id, version)
    if target.status != "published":
        raise Conflict(_("Publish this version before moving learners to it."))
    moved = db.session.execute(
        update(Enrollment)
        .where(Enrollment.course_id == course_id, Enrollment.course_version_id != target.id)
        .values(course_version_id=target.id)
        .execution_options(synchronize_session=False)
    ).rowcount  # type: ignore[attr-defined]
    audit.record("course.move_learners", actor=actor, target=f"{course_id} {version}",
                 origin=origin, details={"moved": moved})  # fmt: skip
    return int(moved)


def export_version(course_id: str, version: str, user: User | None) -> tuple[str, bytes]:
    """The version as the zip it was imported from: (file name, bytes)."""
    if user is not None:
        editable_course(course_id, user)
    found = find_version(course_id, version)
    files = db.session.scalars(
        select(Asset)
        .where(Asset.course_version_id == found.id, Asset.variant_of.is_(None))
        .order_by(Asset.path)
    )
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for asset in files:
            archive.writestr(f"{course_id}/{asset.path}", asset.data)
    return f"{course_id}-{version}.zip", buffer.getvalue()


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
        prerequisites=list(package.prerequisites),
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
    db.session.flush()
    widths = _store_files(version, package)
    for item in version.items:
        if item.kind == "lesson" and item.html and "<img" in item.html:
            item.html = add_srcset(item.html, package.id, package.version, widths)
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


def _store_files(version: CourseVersion, package: PackageDef) -> dict[str, list[int]]:
    """Keep every file of the package (for export); serve the public ones; add web sizes of
    images. Returns, by image path, the widths available (the original's last)."""
    widths: dict[str, list[int]] = {}
    for path in package.files:
        blob = package.files[path]  # one file in memory at a time, however large the package
        content_type = guess_type(path)
        public = is_public(path)
        original_width, variants = web_variants(path, blob, content_type) if public else (None, [])
        db.session.add(
            Asset(
                course_version_id=version.id, path=path, content_type=content_type,
                sha256=file_digest(package.files, path), size=len(blob), data=blob,
                public=public, width=original_width,
            )
        )  # fmt: skip
        for variant in variants:
            db.session.add(
                Asset(
                    course_version_id=version.id, path=variant.path,
                    content_type=variant.content_type,
                    sha256=hashlib.sha256(variant.data).hexdigest(), size=len(variant.data),
                    data=variant.data, public=True, variant_of=path, width=variant.width,
                )
            )  # fmt: skip
        if variants and original_width:
            widths[path] = [v.width for v in variants] + [original_width]
        db.session.flush()
        for stored in list(db.session.identity_map.values()):
            if isinstance(stored, Asset):
                db.session.expunge(stored)  # written; let the bytes go
    return widths


IMG_TAG = re.compile(r"<img\b([^>]*?)\s*/?>")


def add_srcset(html: str, course_id: str, version: str, widths: dict[str, list[int]]) -> str:
    """Give each lesson image its web sizes (srcset) and lazy loading; the original stays."""
    prefix = f"/courses/{course_id}/assets/{version}/"

    def rewrite(match: re.Match[str]) -> str:
        attributes = match.group(1)
        source = re.search(r'src="([^"]+)"', attributes)
        extra = ' loading="lazy" decoding="async"'
        if source and source.group(1).startswith(prefix):
            path = source.group(1)[len(prefix) :]
            sizes = widths.get(path)
            if sizes:
                candidates = [f"{prefix}{variant_path(path, w)} {w}w" for w in sizes[:-1]]
                candidates.append(f"{prefix}{path} {sizes[-1]}w")
                extra += (
                    f' srcset="{", ".join(candidates)}" sizes="(max-width: 44rem) 100vw, 42rem"'
                )
        return f"<img{attributes}{extra}>"

    return IMG_TAG.sub(rewrite, html)


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
        raise Forbidden(_("This course belongs to another author."))
    return publish_version(found, actor=user, origin=origin)
