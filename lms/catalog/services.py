"""Reading the catalog: published courses, their outlines and assets."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Select, String, bindparam, cast, func, or_, select
from sqlalchemy.orm import undefer

from lms.auth.models import User
from lms.catalog.models import Asset, Course, CourseVersion, Item, Module
from lms.errors import NotFound
from lms.extensions import db
from lms.memo import Lru


@dataclass(frozen=True)
class Page:
    items: list[CourseVersion]
    page: int
    per_page: int
    total: int


def can_edit(user: User | None, course: Course) -> bool:
    """Owners, co-authors and admins edit a course; the command line (no user) may do anything."""
    if user is None or user.is_admin or course.owner_id == user.id:
        return True
    return any(link.user_id == user.id for link in course.coauthors)


def _latest_published() -> Select[Any]:
    latest = (
        select(CourseVersion.course_id, func.max(CourseVersion.sort_key).label("sort_key"))
        .where(CourseVersion.status == "published")
        .group_by(CourseVersion.course_id)
        .subquery()
    )
    return select(CourseVersion).join(
        latest,
        (CourseVersion.course_id == latest.c.course_id)
        & (CourseVersion.sort_key == latest.c.sort_key),
    )


def list_courses(
    *, q: str = "", language: str = "", tag: str = "", page: int = 1, per_page: int = 50
) -> Page:
    """Published courses (their latest published version), filtered and paged in SQL."""
    query = _latest_published()
    if q:
        pattern = f"%{q.strip().lower()}%"
        query = query.where(
            or_(
                func.lower(CourseVersion.title).like(pattern),
                func.lower(CourseVersion.summary).like(pattern),
            )
        )
    if language:
        query = query.where(CourseVersion.language == language)
    if tag:
        # tags are stored as a JSON list of strings; match the quoted tag in its text form
        quoted = json.dumps(tag)
        query = query.where(cast(CourseVersion.tags, String).contains(quoted, autoescape=True))
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    versions: list[CourseVersion] = list(
        db.session.scalars(
            query.order_by(CourseVersion.title, CourseVersion.course_id)
            .offset((page - 1) * per_page)
            .limit(per_page)
        )
    )
    return Page(versions, page, per_page, int(total))


def latest_published(course_id: str) -> CourseVersion | None:
    found: CourseVersion | None = db.session.scalar(
        _latest_published().where(CourseVersion.course_id == course_id)
    )
    return found


def course_version_for(
    course_id: str,
    user: User | None,
    version: str | None = None,
    enrolled_version_id: int | None = None,
) -> CourseVersion:
    """The version a person sees: their own when enrolled, else the latest published one.

    Authors of the course and admins may ask for any version, drafts included.
    """
    if version:
        found = db.session.scalar(
            select(CourseVersion).where(
                CourseVersion.course_id == course_id, CourseVersion.version == version
            )
        )
        if found is None:
            raise NotFound()
        may_see_drafts = user is not None and can_edit(user, found.course)
        if found.status != "published" and not may_see_drafts:
            raise NotFound()
        return found
    if enrolled_version_id is not None:
        enrolled = db.session.get(CourseVersion, enrolled_version_id)
        if enrolled is not None:
            return enrolled
    latest = latest_published(course_id)
    if latest is None:
        raise NotFound()
    return latest


@dataclass(frozen=True)
class OutlineItem:
    """What pages and progress need to know of an item, without its content."""

    key: str
    kind: str
    title: str
    minutes: int | None
    pass_mark: float  # quizzes only
    grading: str  # quizzes only


@dataclass(frozen=True)
class OutlineModule:
    key: str
    title: str
    items: tuple[OutlineItem, ...]


Outline = tuple[OutlineModule, ...]


class VersionKey(Protocol):
    """What names a version's imported content: a CourseVersion or its VersionFacts."""

    @property
    def id(self) -> int: ...
    @property
    def content_hash(self) -> str: ...


@dataclass(frozen=True)
class VersionFacts:
    """What a learner's lesson pages need of their course version, without its row."""

    id: int
    content_hash: str
    course_id: str
    version: str
    title: str
    language: str
    completion: dict[str, str]


# Outlines, lesson HTML and a version's facts never change once imported (other content is
# another version), so each process keeps those it has read, keyed by version id and content
# hash.
_OUTLINES: Lru[Outline] = Lru(256)
_LESSON_HTML: Lru[str] = Lru(16_000_000, weigh=len)  # characters, about 16 MB at most
_FACTS: Lru[VersionFacts] = Lru(1024)
_FACTS_OF = select(
    CourseVersion.course_id,
    CourseVersion.version,
    CourseVersion.title,
    CourseVersion.language,
    CourseVersion.completion,
).where(CourseVersion.id == bindparam("version_id"))


def version_facts(version_id: int, content_hash: str) -> VersionFacts:
    """A version's title, language and completion rule (one query the first time only)."""
    key = (version_id, content_hash)
    facts = _FACTS.get(key)
    if facts is None:
        row = db.session.execute(_FACTS_OF, {"version_id": version_id}).one()
        facts = VersionFacts(
            version_id,
            content_hash,
            row.course_id,
            row.version,
            row.title,
            row.language,
            dict(row.completion or {}),
        )
        _FACTS.put(key, facts)
    return facts


def outlines(versions: Sequence[VersionKey]) -> dict[int, Outline]:
    """The outlines of several versions by version id; those not yet read cost two queries."""
    found: dict[int, Outline] = {}
    missing: dict[int, VersionKey] = {}
    for version in versions:
        cached = _OUTLINES.get((version.id, version.content_hash))
        if cached is None:
            missing[version.id] = version
        else:
            found[version.id] = cached
    if not missing:
        return found
    modules = db.session.execute(
        select(Module.id, Module.course_version_id, Module.key, Module.title)
        .where(Module.course_version_id.in_(missing))
        .order_by(Module.course_version_id, Module.position)
    ).all()
    items: dict[int, list[OutlineItem]] = {module.id: [] for module in modules}
    for row in db.session.execute(
        select(Item.module_id, Item.key, Item.kind, Item.title, Item.minutes, Item.data)
        .where(Item.course_version_id.in_(missing))
        .order_by(Item.position)
    ):
        settings = (row.data or {}).get("quiz", {}).get("settings", {})
        items[row.module_id].append(
            OutlineItem(
                key=row.key,
                kind=row.kind,
                title=row.title,
                minutes=row.minutes,
                pass_mark=float(settings.get("pass_mark", 80)),
                grading=str(settings.get("grading", "highest")),
            )
        )
    for version_id, version in missing.items():
        outline_of = tuple(
            OutlineModule(module.key, module.title, tuple(items[module.id]))
            for module in modules
            if module.course_version_id == version_id
        )
        _OUTLINES.put((version_id, version.content_hash), outline_of)
        found[version_id] = outline_of
    return found


def outline(version: VersionKey) -> Outline:
    """The modules of a version with their items (read once per process)."""
    return outlines([version])[version.id]


def outline_items(version: VersionKey) -> list[OutlineItem]:
    """Every item of a version, in course order."""
    return [item for module in outline(version) for item in module.items]


def lesson_html(version: VersionKey, key: str) -> str:
    """A lesson's HTML, or 404 when the version has no such lesson."""
    memo_key = (version.id, version.content_hash, key)
    html = _LESSON_HTML.get(memo_key)
    if html is not None:
        return html
    html = db.session.scalar(
        select(Item.html).where(
            Item.course_version_id == version.id, Item.key == key, Item.kind == "lesson"
        )
    )
    if html is None:
        raise NotFound()
    _LESSON_HTML.put(memo_key, html)
    return str(html)


def find_item(
    version: CourseVersion, key: str, kind: str | None = None, with_html: bool = False
) -> Item:
    """One item of a version by its id; ``with_html`` loads a lesson's HTML in the same query."""
    query = select(Item).where(Item.course_version_id == version.id, Item.key == key)
    if with_html:
        query = query.options(undefer(Item.html))
    if kind:
        query = query.where(Item.kind == kind)
    item = db.session.scalar(query)
    if item is None:
        raise NotFound()
    return item


def find_asset(course_id: str, version: str, path: str) -> Asset:
    asset = db.session.scalar(
        select(Asset)
        .join(CourseVersion, Asset.course_version_id == CourseVersion.id)
        .where(
            CourseVersion.course_id == course_id,
            CourseVersion.version == version,
            Asset.path == path,
            Asset.public.is_(True),
        )
        .options(undefer(Asset.data))
    )
    if asset is None:
        raise NotFound()
    return asset


def get_course(course_id: str) -> Course:
    course = db.session.get(Course, course_id)
    if course is None:
        raise NotFound()
    return course
