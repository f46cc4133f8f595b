"""A server killed half way through an import leaves nothing behind.

The import runs in a real child process on the test's database. After the first files of the
package have been written (flushed, uncommitted), the child signals and is killed with
SIGKILL; the database must then hold no trace of the course, no lock, and the same package
must import cleanly afterwards.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from lms.catalog.models import Asset, Course, CourseVersion, Item
from lms.extensions import db
from tests.integration.test_two_servers import PNG

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
FILES_BEFORE_KILL = 3

CHILD = textwrap.dedent(
    f"""
    import os, sys, time
    import lms.authoring.services as services
    from lms import create_app

    real = services.web_variants
    calls = [0]

    def slow_after_a_few(*args, **kwargs):
        calls[0] += 1
        if calls[0] > {FILES_BEFORE_KILL}:  # earlier files are written: signal, then hang
            os.write(1, b"mid-import\\n")  # the file descriptor: the CLI runner captures print
            time.sleep(120)
        return real(*args, **kwargs)

    services.web_variants = slow_after_a_few
    app = create_app()
    result = app.test_cli_runner().invoke(args=["courses", "import", sys.argv[1], "--publish"])
    print(result.output, flush=True)
    """
)


def _package(folder: Path) -> Path:
    path = folder / "killed-course.zip"
    lessons = [f"      - lesson: lessons/l{n}.md" for n in range(6)]
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            "course.yaml",
            "id: killed-course\nversion: 1.0.0\ntitle: Killed half way\nlanguage: en\n"
            "modules:\n  - id: m1\n    title: Only module\n    items:\n"
            + "\n".join(lessons)
            + "\n",
        )
        for n in range(6):
            archive.writestr(
                f"lessons/l{n}.md",
                f"---\ntitle: Lesson {n}\n---\n![Map {n}](../assets/map-{n}.png)\n",
            )
            archive.writestr(f"assets/map-{n}.png", PNG)
    return path


def _traces(app: Any) -> dict[str, int]:
    with app.app_context():
        count = lambda model, *where: db.session.scalar(  # noqa: E731
            select(func.count()).select_from(model).where(*where)
        )
        versions = select(CourseVersion.id).where(CourseVersion.course_id == "killed-course")
        return {
            "courses": count(Course, Course.id == "killed-course"),
            "versions": count(CourseVersion, CourseVersion.course_id == "killed-course"),
            "items": count(Item, Item.course_version_id.in_(versions)),
            "assets": count(Asset, Asset.course_version_id.in_(versions)),
        }


def test_an_import_killed_half_way_leaves_nothing(
    make_app: Any, database_uri: str, tmp_path: Path
) -> None:
    package = _package(tmp_path)
    instance = tmp_path / "instance"
    env = {
        **os.environ,
        "LMS_DATABASE_URL": database_uri,
        "LMS_SECRET_KEY": "killed-import-secret",
        "LMS_INSTANCE_PATH": str(instance),
    }
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(package)],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        assert child.stdout is not None
        first = child.stdout.readline()
        assert first.strip() == "mid-import", first + child.stdout.read()
        app = make_app()
        # the first files are flushed to the database, inside the import's transaction
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        if child.stdout is not None:
            child.stdout.close()
    assert child.returncode == -signal.SIGKILL

    assert _traces(app) == {"courses": 0, "versions": 0, "items": 0, "assets": 0}
    leftovers = [p for p in instance.rglob("*") if p.is_file() and p.name != "secret_key"]
    assert leftovers == []

    # nothing is locked or half-there: the same package now imports whole
    result = app.test_cli_runner().invoke(args=["courses", "import", str(package), "--publish"])
    assert result.exit_code == 0, result.output
    imported = _traces(app)
    assert (imported["courses"], imported["versions"], imported["items"]) == (1, 1, 6)
    assert imported["assets"] >= 6  # the six maps (and any web sizes made of them)
