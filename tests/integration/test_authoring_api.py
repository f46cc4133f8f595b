"""Authors upload, re-upload and publish packages through the API."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from flask import Flask

from tests.conftest import Api, make_user

COURSES = Path(__file__).resolve().parents[2] / "courses"


def zipped(folder: Path, replace: dict[str, tuple[str, str]] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                relative = path.relative_to(folder).as_posix()
                data = path.read_bytes()
                if replace and relative in replace:
                    old, new = replace[relative]
                    data = data.decode().replace(old, new, 1).encode()
                archive.writestr(f"{folder.name}/{relative}", data)
    return buffer.getvalue()


def upload(api: Api, data: bytes):
    return api.client.post(
        "/api/v1/courses",
        data={"file": (io.BytesIO(data), "course.zip")},
        headers={"Authorization": f"Bearer {api.token}"},
    )


def test_upload_draft_reupload_publish_and_versions(app: Flask, author: Api, learner: Api):
    package = zipped(
        COURSES / "migration-governance",
        {"course.yaml": ("id: migration-governance", "id: labour-migration-basics")},
    )
    created = upload(author, package)
    assert created.status_code == 201, created.get_json()
    assert created.get_json() == {
        "id": "labour-migration-basics", "version": "1.0.0", "status": "draft",
    }  # fmt: skip
    assert upload(author, package).status_code == 200  # identical: nothing changes

    # drafts are invisible to learners, visible to their author
    assert learner.get("/api/v1/courses/labour-migration-basics").status_code == 404
    draft = author.get("/api/v1/courses/labour-migration-basics?version=1.0.0")
    assert draft.status_code == 200 and draft.get_json()["status"] == "draft"

    changed = zipped(
        COURSES / "migration-governance",
        {
            "course.yaml": ("id: migration-governance", "id: labour-migration-basics"),
            "lessons/01-what-is-migration-governance.md": ("minutes:", "minutes: 21\nx_minutes:"),
        },
    )
    conflict = upload(author, changed)
    assert conflict.status_code in (409, 422)

    other = make_user(app, "other-author@example.org", "author")
    assert upload(other, package).status_code == 403

    published = author.post("/api/v1/courses/labour-migration-basics/versions/1.0.0/publish")
    assert published.status_code == 200 and published.get_json()["status"] == "published"
    assert learner.get("/api/v1/courses/labour-migration-basics").status_code == 200
    assert learner.post("/api/v1/courses/labour-migration-basics/enrollment").status_code == 201

    versions = author.get("/api/v1/courses/labour-migration-basics/versions").get_json()["items"]
    assert [(v["version"], v["status"], v["enrolled"]) for v in versions] == [
        ("1.0.0", "published", 1)
    ]
    assert learner.get("/api/v1/courses/labour-migration-basics/versions").status_code == 404
    assert (
        learner.post("/api/v1/courses/labour-migration-basics/versions/1.0.0/publish").status_code
        == 403
    )


def test_same_version_with_other_content_is_409_version_exists(author: Api):
    lesson = "lessons/01-what-is-migration-governance.md"
    base = {"course.yaml": ("id: migration-governance", "id: mg-copy")}
    assert upload(author, zipped(COURSES / "migration-governance", base)).status_code == 201
    changed = dict(base)
    changed[lesson] = ("## ", "## Revised: ")
    response = upload(author, zipped(COURSES / "migration-governance", changed))
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "version_exists"


def test_a_broken_upload_is_422_with_every_problem_and_stores_nothing(author: Api, client):
    broken = zipped(
        COURSES / "ctip-humanitarian",
        {
            "course.yaml": ("id: ctip-humanitarian", "id: ctip-broken"),
            "quizzes/m1-quiz.yaml": ("correct: true", "correct: yes please"),
        },
    )
    response = upload(author, broken)
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "invalid_package"
    assert any(d["file"] == "quizzes/m1-quiz.yaml" and d["line"] for d in error["details"])
    assert author.get("/api/v1/courses/ctip-broken?version=1.0.0").status_code == 404
