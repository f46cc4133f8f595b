"""The package reader: valid packages load; every mistake is located; nothing else escapes."""

from __future__ import annotations

import io
import stat
import zipfile
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from lms.authoring.files import Limits, read_folder, read_zip
from lms.authoring.package import LessonDef, QuizItemDef, load_package, version_sort_key
from lms.authoring.problems import Problem

COURSES = Path(__file__).resolve().parents[2] / "courses"

COURSE_YAML = """\
id: tiny-course
version: 1.0.0
title: A tiny course
language: en
summary: For tests.
estimated_hours: 1
modules:
  - id: m1
    title: First
    items:
      - lesson: lessons/intro.md
      - quiz: quizzes/check.yaml
        pass_mark: 50
"""
LESSON = """\
---
id: intro
title: Introduction
minutes: 5
---
## Hello

See ![a map](../assets/map.png) and [the next part](https://example.org/).
"""
QUIZ = """\
title: Check
questions:
  - id: q1
    type: true_false
    prompt: The sky is blue.
    answer: true
"""


def tiny(**changes: str | None) -> dict[str, bytes]:
    files = {
        "course.yaml": COURSE_YAML,
        "lessons/intro.md": LESSON,
        "quizzes/check.yaml": QUIZ,
        "assets/map.png": "PNG",
    }
    for path, text in changes.items():
        path = path.replace("__", "/").replace("_dot_", ".")
        if text is None:
            files.pop(path, None)
        else:
            files[path] = text
    return {path: text.encode() for path, text in files.items()}


def messages(problems: list[Problem]) -> list[str]:
    return [str(p) for p in problems]


def test_the_sample_courses_load_without_problems():
    for folder in sorted(p for p in COURSES.iterdir() if p.is_dir()):
        files, problems = read_folder(folder, Limits())
        assert problems == []
        package, problems = load_package(files)
        assert problems == [], messages(problems)
        assert package is not None and len(package.modules) >= 4
        lessons = [i for i in package.items if isinstance(i, LessonDef)]
        quizzes = [i for i in package.items if isinstance(i, QuizItemDef)]
        assert len(lessons) >= 8 and len(quizzes) >= 4


def test_a_tiny_package_loads_with_overrides_and_rewritten_asset_links():
    package, problems = load_package(tiny())
    assert problems == []
    assert package is not None
    lesson, quiz = package.items
    assert isinstance(lesson, LessonDef) and isinstance(quiz, QuizItemDef)
    assert 'src="/courses/tiny-course/assets/1.0.0/assets/map.png"' in lesson.html
    assert quiz.quiz.settings.pass_mark == 50
    assert set(package.assets) == {"assets/map.png"}


def test_equal_content_has_equal_hash_and_any_change_changes_it():
    first, _ = load_package(tiny())
    second, _ = load_package(tiny())
    third, _ = load_package(tiny(lessons__intro_dot_md=LESSON + "\nMore."))
    assert first and second and third
    assert first.content_hash == second.content_hash != third.content_hash


def test_every_planted_mistake_is_reported_at_once_with_its_line():
    course = COURSE_YAML.replace("title: A tiny course", "titel: A tiny course").replace(
        "pass_mark: 50", "pasmark: 50"
    )
    course += "      - lesson: lessons/missing.md\n"
    lesson = LESSON.replace("../assets/map.png", "../assets/nope.png")
    quiz = QUIZ.replace("answer: true", "answer: maybe")
    package, problems = load_package(
        tiny(course_dot_yaml=course, lessons__intro_dot_md=lesson, quizzes__check_dot_yaml=quiz)
    )
    assert package is None
    text = "\n".join(messages(problems))
    assert "course.yaml:3:1: unknown key 'titel' (did you mean 'title'?)" in text
    assert "course.yaml:13:9: unknown key 'pasmark' (did you mean 'pass_mark'?)" in text
    assert "course.yaml:14:17: 'lessons/missing.md' is not in the package" in text
    assert "lessons/intro.md:8: '../assets/nope.png' is not in the package" in text
    assert "quizzes/check.yaml:6:13: 'answer' must be true or false" in text
    assert any("'title' is required" in m for m in messages(problems))


def test_yaml_syntax_errors_point_at_the_line():
    _, problems = load_package(tiny(course_dot_yaml="id: x\ntitle: [unclosed\nversion: 1\n"))
    assert problems and problems[0].file == "course.yaml" and problems[0].line >= 2


def test_yaml_anchors_are_refused_as_a_bomb_defence():
    bomb = 'a: &a ["x","x"]\nb: &b [*a,*a]\nc: [*b,*b]\n'
    _, problems = load_package(tiny(course_dot_yaml=bomb))
    assert "anchors and aliases" in problems[0].message


def test_duplicate_item_ids_and_bad_versions_are_errors():
    lesson2 = LESSON  # same front matter id: intro
    course = COURSE_YAML.replace("version: 1.0.0", "version: one").replace(
        "      - quiz:", "      - lesson: lessons/again.md\n      - quiz:"
    )
    _, problems = load_package(tiny(course_dot_yaml=course, lessons__again_dot_md=lesson2))
    text = "\n".join(messages(problems))
    assert "item id 'intro' is also used" in text
    assert "course.yaml:2:10: 'version' is required, as MAJOR.MINOR.PATCH" in text


def test_non_utf8_and_missing_course_yaml():
    _, problems = load_package(tiny(lessons__intro_dot_md=None) | {"lessons/intro.md": b"\xff\xfe"})
    assert any("not UTF-8" in p.message for p in problems)
    _, problems = load_package({"readme.txt": b"hi"})
    assert problems[0].message == "the package has no course.yaml at its top level"


def _zip(entries: list[tuple[str, bytes, int]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data, mode in entries:
            info = zipfile.ZipInfo(name)
            info.external_attr = mode << 16
            archive.writestr(info, data)
    return buffer.getvalue()


def test_a_zip_of_the_folder_or_of_its_contents_reads_the_same():
    files = tiny()
    flat = _zip([(p, d, 0o100644) for p, d in files.items()])
    nested = _zip([(f"tiny/{p}", d, 0o100644) for p, d in files.items()])
    assert read_zip(flat, Limits())[0] == read_zip(nested, Limits())[0] == files


def test_hostile_zip_entries_are_refused():
    data = _zip(
        [
            ("../evil.txt", b"x", 0o100644),
            ("/etc/passwd", b"x", 0o100644),
            ("link", b"/etc/passwd", stat.S_IFLNK | 0o777),
            ("course.yaml", COURSE_YAML.encode(), 0o100644),
        ]
    )
    files, problems = read_zip(data, Limits())
    assert "evil.txt" not in str(files)
    assert len(problems) == 3
    assert read_zip(b"not a zip", Limits())[1][0].message == "this file is not a zip archive"


def test_zip_limits_are_checked_before_inflating():
    data = _zip([(f"f{i}.txt", b"0" * 1000, 0o100644) for i in range(5)])
    assert "limit is 3" in read_zip(data, Limits(max_files=3))[1][0].message
    assert "unpack to" in read_zip(data, Limits(max_unzipped_bytes=4000))[1][0].message


def test_versions_sort_semantically():
    assert version_sort_key("1.10.0") > version_sort_key("1.9.9")
    assert version_sort_key("2.0.0") > version_sort_key("2.0.0-rc.1")


@given(st.text(max_size=400))
def test_any_course_yaml_text_gives_a_package_or_located_problems(text: str):
    package, problems = load_package(tiny(course_dot_yaml=text))
    assert (package is None) == bool(problems)
    assert all(isinstance(p, Problem) and p.file for p in problems)


@given(st.lists(st.integers(min_value=0, max_value=30), max_size=4), st.text(max_size=30))
def test_mutated_packages_never_raise(cuts: list[int], junk: str):
    lines = COURSE_YAML.splitlines()
    for cut in cuts:
        if lines:
            lines.pop(cut % len(lines))
    lines.insert(len(junk) % (len(lines) + 1), junk)
    lesson = LESSON.replace("Hello", junk)
    package, problems = load_package(
        tiny(course_dot_yaml="\n".join(lines), lessons__intro_dot_md=lesson)
    )
    assert (package is None) == bool(problems)


@given(st.binary(max_size=300))
def test_any_bytes_as_a_zip_give_files_or_problems(data: bytes):
    files, problems = read_zip(data, Limits())
    assert isinstance(files, dict) and isinstance(problems, list)


def test_texts_given_per_language_use_the_courses_main_language():
    course = COURSE_YAML.replace("language: en", "language: es").replace(
        "    title: First", "    title: {en: First, es: Primero}"
    )
    course = course.replace("title: A tiny course", "title: {en: A tiny course, es: Un curso}")
    package, problems = load_package(tiny(course_dot_yaml=course))
    assert problems == [] and package is not None
    assert package.title == "Un curso"
    assert package.modules[0].title == "Primero"
