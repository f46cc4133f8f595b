"""The course package: read course.yaml, lessons and quizzes into frozen definitions.

Pure: no Flask, no database. ``load_package`` collects every problem in one pass, each located
to a file, line and column, so an author can fix them all at once.
"""

from __future__ import annotations

import dataclasses
import difflib
import hashlib
import mimetypes
import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lms.authoring.files import Limits
from lms.authoring.markup import link_targets, render_markdown
from lms.authoring.problems import Problem
from lms.authoring.yamlsrc import Locate, load_yaml
from lms.quiz.gift import parse_gift
from lms.quiz.quizdef import Quiz, QuizSettings, parse_quiz, parse_settings, with_settings

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}[a-z0-9]$")
ITEM_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
SEMVER = re.compile(r"^(\d{1,6})\.(\d{1,6})\.(\d{1,6})(?:-([0-9A-Za-z.-]{1,30}))?$")
LANGUAGE = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")

COURSE_KEYS = (
    "id", "version", "title", "language", "languages", "summary", "estimated_hours", "tags",
    "prerequisites", "completion", "certificate", "modules",
)  # fmt: skip
COMPLETION_KEYS = ("lessons", "quizzes", "scorm")
CERTIFICATE_KEYS = ("enabled", "template", "validity_months")
MODULE_KEYS = ("id", "title", "items")
ITEM_KINDS = ("lesson", "quiz", "scorm")
QUIZ_ITEM_SETTINGS = (
    "pass_mark", "max_attempts", "time_limit_seconds", "shuffle_questions", "shuffle_options",
    "draw", "grading", "review",
)  # fmt: skip
LESSON_KEYS = ("id", "title", "minutes")
LESSON_LINK = "/__lesson-file__/"  # a link to another lesson's file, resolved once ids are known


@dataclass(frozen=True)
class LessonDef:
    id: str
    title: str
    minutes: int | None
    html: str
    file: str


@dataclass(frozen=True)
class QuizItemDef:
    id: str
    title: str
    quiz: Quiz
    file: str


ItemDef = LessonDef | QuizItemDef


@dataclass(frozen=True)
class ModuleDef:
    id: str
    title: str
    items: tuple[ItemDef, ...]


@dataclass(frozen=True)
class PackageDef:
    """A whole, valid course package."""

    id: str
    version: str
    title: str
    summary: str
    language: str
    languages: tuple[str, ...]
    estimated_hours: float | None
    tags: tuple[str, ...]
    prerequisites: tuple[str, ...]
    completion: dict[str, str]
    certificate: dict[str, Any]
    modules: tuple[ModuleDef, ...]
    files: Mapping[str, bytes] = field(repr=False)
    content_hash: str = ""

    @property
    def assets(self) -> list[str]:
        """The files learners' browsers may fetch: everything but the course's sources."""
        return [path for path in self.files if is_public(path)]

    @property
    def items(self) -> list[ItemDef]:
        return [item for module in self.modules for item in module.items]


SOURCE_SUFFIXES = (".md", ".yaml", ".yml", ".gift")


def is_public(path: str) -> bool:
    """Sources (course.yaml, lessons, quizzes with their answers) are never served as files."""
    return not path.lower().endswith(SOURCE_SUFFIXES) and not path.startswith("quizzes/")


def version_sort_key(version: str) -> str:
    """A string that sorts like the semantic version (a release after its pre-releases)."""
    match = SEMVER.match(version)
    if not match:
        return version
    major, minor, patch, pre = match.groups()
    return f"{int(major):06d}.{int(minor):06d}.{int(patch):06d}.{'0' + pre if pre else '1'}"


def file_digest(files: Mapping[str, bytes], path: str) -> str:
    """A file's SHA-256, from the reader when it already streamed the file (a zip)."""
    known = getattr(files, "digest", None)
    return str(known(path)) if known else hashlib.sha256(files[path]).hexdigest()


def content_hash(files: Mapping[str, bytes]) -> str:
    """One digest of every path and its bytes: equal packages have equal hashes."""
    digest = hashlib.sha256()
    for path in sorted(files):
        digest.update(path.encode() + b"\0" + bytes.fromhex(file_digest(files, path)))
    return digest.hexdigest()


def guess_type(path: str) -> str:
    extra = {".vtt": "text/vtt", ".md": "text/markdown", ".webp": "image/webp"}
    ext = posixpath.splitext(path)[1].lower()
    return extra.get(ext) or mimetypes.guess_type(path)[0] or "application/octet-stream"


class _Collector:
    """Gathers problems for one file, locating them through the file's YAML positions."""

    def __init__(self, file: str, locate: Locate, problems: list[Problem]) -> None:
        self.file = file
        self.locate = locate
        self.problems = problems

    def add(self, path: tuple[str | int, ...], message: str) -> None:
        line, column = self.locate(path)
        self.problems.append(Problem(self.file, line, column, message))

    def unknown_keys(
        self, mapping: dict[Any, Any], allowed: tuple[str, ...], path: tuple[str | int, ...]
    ) -> None:
        for key in mapping:
            if key not in allowed:
                close = difflib.get_close_matches(str(key), allowed, n=1)
                hint = f" (did you mean '{close[0]}'?)" if close else ""
                self.add(
                    (*path, str(key), "<key>"),
                    f"unknown key '{key}'{hint}; allowed here: {', '.join(allowed)}",
                )


def _text(value: Any, language: str) -> str | None:
    """A text for people: a string, or a mapping of language to string (main language wins)."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, dict) and value:
        chosen = value.get(language)
        if chosen is None:
            chosen = next(iter(value.values()))
        return chosen.strip() if isinstance(chosen, str) else None
    return None


def _decode(path: str, data: bytes, problems: list[Problem]) -> str | None:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        problems.append(
            Problem(path, line, 0, "this file is not UTF-8 text; save it with UTF-8 encoding")
        )
        return None


def _resolve(base_file: str, target: str) -> str | None:
    """The package path a relative link points to, or None when it leaves the package."""
    target = target.split("#", 1)[0].split("?", 1)[0]
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(base_file), target))
    if joined.startswith("../") or joined == ".." or joined.startswith("/"):
        return None
    return joined


def _is_external(target: str) -> bool:
    lowered = target.strip().lower()
    return lowered.startswith(("http://", "https://", "mailto:", "#")) or lowered == ""


def _parse_lesson(
    path: str,
    files: Mapping[str, bytes],
    problems: list[Problem],
    url_for_path: Any,
) -> LessonDef | None:
    raw = _decode(path, files[path], problems)
    if raw is None:
        return None
    text = raw.replace("\r\n", "\n")
    meta: Any = {}
    body = text
    body_offset = 0
    if text.startswith("---\n"):
        end = text.find("\n---", 4)
        if end == -1:
            problems.append(Problem(path, 1, 1, "the front matter opened with '---' never closes"))
            return None
        front = text[4:end]
        meta, locate, yaml_problems = load_yaml(front, path, line_offset=1)
        problems.extend(yaml_problems)
        if yaml_problems:
            return None
        rest = text[end + 4 :]
        body_offset = front.count("\n") + 3  # the two fences and the first front line
        body = rest.split("\n", 1)[1] if "\n" in rest else ""
        meta = meta or {}
        collector = _Collector(path, locate, problems)
        if not isinstance(meta, dict):
            collector.add((), "the front matter must be 'key: value' lines (id, title, minutes)")
            meta = {}
        collector.unknown_keys(meta, LESSON_KEYS, ())
    else:
        collector = _Collector(path, lambda _p: (1, 1), problems)
    stem = posixpath.splitext(posixpath.basename(path))[0]
    lesson_id = meta.get("id", stem)
    if not isinstance(lesson_id, str) or not ITEM_ID.match(lesson_id):
        collector.add(("id",), "a lesson id is letters, digits, '-', '_' or '.' (at most 64)")
        lesson_id = stem
    title = meta.get("title")
    if not isinstance(title, str) or not title.strip():
        heading = re.search(r"^#\s+(.+)$", body, re.MULTILINE)
        if heading:
            title = heading.group(1).strip()
        else:
            collector.add(("title",), "the lesson needs a 'title' in its front matter")
            title = stem
    minutes = meta.get("minutes")
    if minutes is not None and (
        isinstance(minutes, bool) or not isinstance(minutes, int) or not 0 <= minutes <= 1000
    ):
        collector.add(("minutes",), "'minutes' is a whole number from 0 to 1000")
        minutes = None
    for line, target in link_targets(body):
        if _is_external(target):
            continue
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", target):
            problems.append(
                Problem(path, line + body_offset, 0, f"link '{target}' uses a scheme not allowed")
            )
            continue
        resolved = _resolve(path, target)
        if resolved is None or resolved not in files:
            problems.append(
                Problem(path, line + body_offset, 0, f"'{target}' is not in the package")
            )
    html = render_markdown(body, lambda url: url_for_path(path, url))
    return LessonDef(lesson_id, title.strip(), minutes, html, path)


def load_package(files: Mapping[str, bytes]) -> tuple[PackageDef | None, list[Problem]]:
    """Read a package's files into a PackageDef; any problem means no PackageDef."""
    problems: list[Problem] = []
    if "course.yaml" not in files:
        if "imsmanifest.xml" in files:
            message = "bare SCORM packages are not supported yet; add a course.yaml"
        else:
            message = "the package has no course.yaml at its top level"
        return None, [Problem("course.yaml", 0, 0, message)]
    source = _decode("course.yaml", files["course.yaml"], problems)
    if source is None:
        return None, problems
    data, locate, yaml_problems = load_yaml(source, "course.yaml")
    if yaml_problems:
        return None, yaml_problems
    c = _Collector("course.yaml", locate, problems)
    if not isinstance(data, dict):
        c.add((), "course.yaml must be a mapping of keys (id, version, title, modules, ...)")
        return None, problems
    c.unknown_keys(data, COURSE_KEYS, ())

    course_id = data.get("id")
    if not isinstance(course_id, str) or not SLUG.match(course_id):
        c.add(("id",), "'id' is required: 3 to 64 lowercase letters, digits and '-'")
        course_id = "invalid-id"
    version = data.get("version")
    if isinstance(version, int | float) and not isinstance(version, bool):
        version = str(version)
    if not isinstance(version, str) or not SEMVER.match(version):
        c.add(("version",), "'version' is required, as MAJOR.MINOR.PATCH, e.g. \"1.0.0\"")
        version = "0.0.0"
    language = data.get("language", "en")
    if not isinstance(language, str) or not LANGUAGE.match(language):
        c.add(("language",), "'language' is a language code such as en or es")
        language = "en"
    languages_raw = data.get("languages", [language])
    languages: list[str] = []
    if not isinstance(languages_raw, list) or not all(
        isinstance(x, str) and LANGUAGE.match(x) for x in languages_raw
    ):
        c.add(("languages",), "'languages' is a list of language codes, e.g. [en, es]")
    else:
        languages = list(dict.fromkeys(languages_raw))
    if language not in languages:
        languages.insert(0, language)
    title = _text(data.get("title"), language)
    if not title:
        c.add(("title",), "'title' is required: the course's name")
        title = ""
    elif len(title) > 300:
        c.add(("title",), "'title' is longer than 300 characters")
    summary = _text(data.get("summary", ""), language)
    if summary is None:
        c.add(("summary",), "'summary' is text (or a mapping of language to text)")
        summary = ""
    hours = data.get("estimated_hours")
    if hours is not None and (
        isinstance(hours, bool) or not isinstance(hours, int | float) or not 0 < hours <= 1000
    ):
        c.add(("estimated_hours",), "'estimated_hours' is a number of hours above 0")
        hours = None
    tags = data.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        c.add(("tags",), "'tags' is a list of words")
        tags = []
    prerequisites = data.get("prerequisites", [])
    if not isinstance(prerequisites, list) or not all(
        isinstance(p, str) and SLUG.match(p) for p in prerequisites
    ):
        c.add(("prerequisites",), "'prerequisites' is a list of course ids")
        prerequisites = []
    completion = _parse_completion(data.get("completion", {}), c)
    certificate = _parse_certificate(data.get("certificate", {}), c, files)

    def url_for_path(lesson_file: str, url: str) -> str:
        if _is_external(url) or re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", url):
            return url
        resolved = _resolve(lesson_file, url)
        if resolved is None:
            return url
        if resolved.endswith(".md"):
            return f"{LESSON_LINK}{resolved}"
        return f"/courses/{course_id}/assets/{version}/{resolved}"

    modules = _parse_modules(data.get("modules"), c, files, url_for_path, language)
    _check_unique_items(modules, c)
    modules = _link_lessons(modules, course_id)
    if problems:
        return None, sorted(set(problems))
    return (
        PackageDef(
            id=course_id,
            version=version,
            title=title,
            summary=summary,
            language=language,
            languages=tuple(languages),
            estimated_hours=float(hours) if hours is not None else None,
            tags=tuple(tags),
            prerequisites=tuple(prerequisites),
            completion=completion,
            certificate=certificate,
            modules=tuple(modules),
            files=files,
            content_hash=content_hash(files),
        ),
        [],
    )


def _parse_completion(raw: Any, c: _Collector) -> dict[str, str]:
    completion = {"lessons": "all", "quizzes": "all", "scorm": "all"}
    if not isinstance(raw, dict):
        c.add(("completion",), "'completion' is a mapping: lessons, quizzes, scorm")
        return completion
    c.unknown_keys(raw, COMPLETION_KEYS, ("completion",))
    for key in COMPLETION_KEYS:
        if key in raw:
            if raw[key] not in ("all", "none"):
                c.add(("completion", key), f"'completion.{key}' is 'all' or 'none'")
            else:
                completion[key] = raw[key]
    return completion


def _parse_certificate(raw: Any, c: _Collector, files: Mapping[str, bytes]) -> dict[str, Any]:
    certificate: dict[str, Any] = {"enabled": True, "template": None, "validity_months": None}
    if not isinstance(raw, dict):
        c.add(("certificate",), "'certificate' is a mapping: enabled, template, validity_months")
        return certificate
    c.unknown_keys(raw, CERTIFICATE_KEYS, ("certificate",))
    if "enabled" in raw:
        if not isinstance(raw["enabled"], bool):
            c.add(("certificate", "enabled"), "'enabled' is true or false")
        else:
            certificate["enabled"] = raw["enabled"]
    if raw.get("template") is not None:
        template = raw["template"]
        if not isinstance(template, str) or template not in files:
            c.add(("certificate", "template"), f"the template '{template}' is not in the package")
        else:
            certificate["template"] = template
    months = raw.get("validity_months")
    if months is not None:
        if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= 600:
            c.add(("certificate", "validity_months"), "'validity_months' is a whole number >= 1")
        else:
            certificate["validity_months"] = months
    return certificate


def _parse_modules(
    raw: Any, c: _Collector, files: Mapping[str, bytes], url_for_path: Any, language: str
) -> list[ModuleDef]:
    modules: list[ModuleDef] = []
    if not isinstance(raw, list) or not raw:
        c.add(("modules",), "'modules' is required: a list of modules, each with items")
        return modules
    seen_modules: set[str] = set()
    for m_index, module in enumerate(raw):
        path: tuple[str | int, ...] = ("modules", m_index)
        if not isinstance(module, dict):
            c.add(path, "each module is a mapping with id, title and items")
            continue
        c.unknown_keys(module, MODULE_KEYS, path)
        module_id = module.get("id", f"m{m_index + 1}")
        if not isinstance(module_id, str) or not ITEM_ID.match(module_id):
            c.add((*path, "id"), "a module id is letters, digits, '-', '_' or '.'")
            module_id = f"m{m_index + 1}"
        if module_id in seen_modules:
            c.add((*path, "id"), f"module id '{module_id}' is used twice")
        seen_modules.add(module_id)
        title = _text(module.get("title"), language)
        if not title:
            c.add((*path, "title"), "each module needs a 'title'")
            title = module_id
        items_raw = module.get("items")
        if not isinstance(items_raw, list) or not items_raw:
            c.add((*path, "items"), "each module needs 'items': a list of lessons and quizzes")
            continue
        items: list[ItemDef] = []
        for i_index, item in enumerate(items_raw):
            parsed = _parse_item(item, (*path, "items", i_index), c, files, url_for_path)
            if parsed is not None:
                items.append(parsed)
        modules.append(ModuleDef(module_id, title, tuple(items)))
    return modules


def _parse_item(
    item: Any,
    path: tuple[str | int, ...],
    c: _Collector,
    files: Mapping[str, bytes],
    url_for_path: Any,
) -> ItemDef | None:
    if not isinstance(item, dict):
        c.add(path, "an item is 'lesson: lessons/file.md' or 'quiz: quizzes/file.yaml'")
        return None
    kinds = [kind for kind in ITEM_KINDS if kind in item]
    if len(kinds) != 1:
        c.unknown_keys(item, (*ITEM_KINDS, *QUIZ_ITEM_SETTINGS), path)
        c.add(path, "an item names exactly one of: lesson, quiz, scorm")
        return None
    kind = kinds[0]
    target = item[kind]
    allowed = (kind, "title", *QUIZ_ITEM_SETTINGS) if kind == "quiz" else (kind,)
    c.unknown_keys(item, allowed, path)
    if not isinstance(target, str) or not target.strip():
        c.add((*path, kind), f"'{kind}' is the path of a file in the package")
        return None
    file_path = posixpath.normpath(target.strip())
    if kind == "scorm":
        c.add((*path, kind), "SCORM items are not supported by this version of the platform yet")
        return None
    if file_path not in c_files_safe(files, file_path):
        close = difflib.get_close_matches(file_path, list(files), n=1)
        hint = f" (did you mean '{close[0]}'?)" if close else ""
        c.add((*path, kind), f"'{target}' is not in the package{hint}")
        return None
    if kind == "lesson":
        if not file_path.endswith(".md"):
            c.add((*path, kind), "a lesson is a Markdown file ending in .md")
            return None
        return _parse_lesson(file_path, files, c.problems, url_for_path)
    return _parse_quiz_item(file_path, item, path, c, files)


def c_files_safe(files: Mapping[str, bytes], file_path: str) -> Mapping[str, bytes]:
    """The package files, for membership tests of normalized paths."""
    return files if not file_path.startswith("../") else {}


def _parse_quiz_item(
    file_path: str,
    item: dict[str, Any],
    path: tuple[str | int, ...],
    c: _Collector,
    files: Mapping[str, bytes],
) -> QuizItemDef | None:
    if not file_path.endswith((".yaml", ".yml", ".gift")):
        c.add((*path, "quiz"), "a quiz is a .yaml file (native) or a .gift file (Moodle's GIFT)")
        return None
    text = _decode(file_path, files[file_path], c.problems)
    if text is None:
        return None
    stem = posixpath.splitext(posixpath.basename(file_path))[0]
    if file_path.endswith(".gift"):
        quiz, quiz_problems = parse_gift(text, file_path, stem)
    else:
        data, locate, yaml_problems = load_yaml(text, file_path)
        if yaml_problems:
            c.problems.extend(yaml_problems)
            return None
        quiz, quiz_problems = parse_quiz(data, file_path, locate, stem)
    c.problems.extend(quiz_problems)
    overrides = {key: item[key] for key in QUIZ_ITEM_SETTINGS if key in item}
    if quiz is None:
        return None
    title = item.get("title")
    if title is not None:
        if not isinstance(title, str) or not title.strip():
            c.add((*path, "title"), "'title' is the quiz's name, as text")
        else:
            quiz = dataclasses.replace(quiz, title=title.strip())
    if overrides:
        settings, setting_problems = parse_settings(
            overrides, "course.yaml", c.locate, quiz.settings, path
        )
        c.problems.extend(setting_problems)
        if settings.draw is not None and settings.draw > len(quiz.questions):
            c.add(
                (*path, "draw"), f"'draw' is more than the quiz's {len(quiz.questions)} questions"
            )
        quiz = with_settings(quiz, settings)
    return QuizItemDef(quiz.id, quiz.title or stem, quiz, file_path)


def _check_unique_items(modules: list[ModuleDef], c: _Collector) -> None:
    seen: dict[str, str] = {}
    for module in modules:
        for item in module.items:
            if item.id in seen:
                c.problems.append(
                    Problem(
                        item.file,
                        1,
                        0,
                        f"item id '{item.id}' is also used by {seen[item.id]}; "
                        "ids must be unique in a course",
                    )
                )
            else:
                seen[item.id] = item.file


def _link_lessons(modules: list[ModuleDef], course_id: str) -> list[ModuleDef]:
    """Turn links between lesson files into links to the lesson pages."""
    ids = {item.file: item.id for module in modules for item in module.items}

    def fix(match: re.Match[str]) -> str:
        target = match.group(1)
        lesson_id = ids.get(target.split("#", 1)[0])
        return f'href="/courses/{course_id}/lessons/{lesson_id}"' if lesson_id else 'href="#"'

    fixed: list[ModuleDef] = []
    for module in modules:
        items: list[ItemDef] = []
        for item in module.items:
            if isinstance(item, LessonDef) and LESSON_LINK in item.html:
                html = re.sub(f'href="{LESSON_LINK}([^"]+)"', fix, item.html)
                item = LessonDef(item.id, item.title, item.minutes, html, item.file)
            items.append(item)
        fixed.append(ModuleDef(module.id, module.title, tuple(items)))
    return fixed


__all__ = [
    "LessonDef",
    "Limits",
    "ModuleDef",
    "PackageDef",
    "Quiz",
    "QuizItemDef",
    "QuizSettings",
    "guess_type",
    "is_public",
    "load_package",
    "version_sort_key",
]
