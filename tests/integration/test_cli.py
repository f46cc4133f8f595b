"""The command line: import (with compiler-style errors), seed, users, revoke."""

from __future__ import annotations

import shutil
from pathlib import Path

from flask import Flask
from sqlalchemy import func, select

from lms.catalog.models import Course, CourseVersion, Item
from lms.extensions import db

COURSES = Path(__file__).resolve().parents[2] / "courses"


def _count(app: Flask, model: type) -> int:
    with app.app_context():
        return int(db.session.scalar(select(func.count()).select_from(model)) or 0)


def test_importing_the_same_package_twice_changes_nothing(app: Flask):
    runner = app.test_cli_runner()
    before = _count(app, Item)
    result = runner.invoke(args=["courses", "import", str(COURSES / "ctip-humanitarian")])
    assert result.exit_code == 0, result.output
    assert "unchanged" in result.output
    assert _count(app, Item) == before


def test_a_broken_package_prints_every_problem_and_imports_nothing(app: Flask, tmp_path: Path):
    package = tmp_path / "broken"
    shutil.copytree(COURSES / "migration-governance", package)
    course = (package / "course.yaml").read_text()
    course = course.replace("id: migration-governance", "id: broken-course", 1)
    course = course.replace("title:", "titl:", 1)
    (package / "course.yaml").write_text(course)
    quiz = package / "quizzes" / "m1-quiz.yaml"
    quiz.write_text(quiz.read_text().replace("type: single", "type: singel", 1))
    before = (_count(app, Course), _count(app, CourseVersion), _count(app, Item))
    result = app.test_cli_runner().invoke(args=["courses", "import", str(package)])
    assert result.exit_code == 1
    assert "course.yaml:" in result.output and "unknown key 'titl'" in result.output
    assert "quizzes/m1-quiz.yaml:" in result.output and "singel" in result.output
    assert "nothing was imported" in result.output
    assert (_count(app, Course), _count(app, CourseVersion), _count(app, Item)) == before


def test_a_new_version_imports_as_a_draft_and_publish_flag_publishes(app: Flask, tmp_path: Path):
    package = tmp_path / "next"
    shutil.copytree(COURSES / "ctip-humanitarian", package)
    course = (package / "course.yaml").read_text().replace('version: "1.0.0"', 'version: "1.1.0"')
    (package / "course.yaml").write_text(course)
    runner = app.test_cli_runner()
    result = runner.invoke(args=["courses", "import", str(package)])
    assert result.exit_code == 0, result.output
    with app.app_context():
        version = db.session.scalar(select(CourseVersion).where(CourseVersion.version == "1.1.0"))
        assert version is not None and version.status == "draft"
    # the catalog still offers 1.0.0 to learners
    assert (
        app.test_client().get("/api/v1/courses/ctip-humanitarian").get_json()["version"] == "1.0.0"
    )
    result = runner.invoke(args=["courses", "import", str(package), "--publish"])
    assert result.exit_code == 0
    assert (
        app.test_client().get("/api/v1/courses/ctip-humanitarian").get_json()["version"] == "1.1.0"
    )


def test_same_version_with_other_content_is_refused(app: Flask, tmp_path: Path):
    package = tmp_path / "changed"
    shutil.copytree(COURSES / "ctip-humanitarian", package)
    lesson = next((package / "lessons").glob("01-*.md"))
    lesson.write_text(lesson.read_text() + "\nAn added paragraph.\n")
    result = app.test_cli_runner().invoke(args=["courses", "import", str(package)])
    assert result.exit_code == 1
    assert "already exists with other content" in result.output


def test_users_create_and_seed_are_idempotent(app: Flask):
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["users", "create", "boss@example.org", "--name", "Boss", "--role", "admin",
              "--password", "a very good password"]
    )  # fmt: skip
    assert result.exit_code == 0 and "(admin)" in result.output
    weak = runner.invoke(
        args=["users", "create", "w@example.org", "--name", "W", "--password", "short"]
    )
    assert weak.exit_code == 1
    first = runner.invoke(args=["seed"])
    second = runner.invoke(args=["seed"])
    assert first.exit_code == 0 and second.exit_code == 0, first.output
    assert "learner@example.org" in second.output and "up to date" in second.output


def test_revoke_from_the_command_line(app: Flask):
    result = app.test_cli_runner().invoke(args=["certificates", "revoke", "NOPE", "--reason", "x"])
    assert result.exit_code == 1


def test_importing_a_zip_file_from_the_command_line(app: Flask, tmp_path: Path):
    from tests.integration.test_two_servers import package

    archive = tmp_path / "shared.zip"
    archive.write_bytes(package())
    result = app.test_cli_runner().invoke(args=["courses", "import", str(archive), "--publish"])
    assert result.exit_code == 0, result.output
    image = app.test_client().get("/courses/shared-course/assets/1.0.0/assets/map.png")
    assert image.status_code == 200 and image.data.startswith(b"\x89PNG")
