"""Versions, export round trips, prerequisites, co-authors, images and hostile uploads."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from flask import Flask
from PIL import Image

from tests.conftest import Api, make_user
from tests.integration.test_authoring_api import COURSES, upload, zipped
from tests.integration.test_journey_api import complete_course


@pytest.mark.parametrize("course", sorted(p.name for p in COURSES.iterdir() if p.is_dir()))
def test_every_sample_course_exports_to_a_zip_that_imports_back_unchanged(
    app: Flask, admin: Api, course: str
):
    exported = admin.get(f"/api/v1/courses/{course}/versions/1.0.0/export")
    assert exported.status_code == 200 and exported.mimetype == "application/zip"
    with zipfile.ZipFile(io.BytesIO(exported.data)) as archive:
        names = set(archive.namelist())
    on_disk = {
        f"{course}/{p.relative_to(COURSES / course).as_posix()}"
        for p in (COURSES / course).rglob("*")
        if p.is_file()
    }
    assert names == on_disk
    again = upload(admin, exported.data)
    assert again.status_code == 200, again.get_json()  # the same version, identical content
    assert again.get_json()["version"] == "1.0.0"


def test_learners_stay_on_their_version_until_they_accept_or_are_moved(
    app: Flask, author: Api, learner: Api, other_learner: Api
):
    base = {"course.yaml": ("id: migration-governance", "id: versioned-course")}
    assert upload(author, zipped(COURSES / "migration-governance", base)).status_code == 201
    author.post("/api/v1/courses/versioned-course/versions/1.0.0/publish")
    for who in (learner, other_learner):
        who.post("/api/v1/courses/versioned-course/enrollment")
        who.get("/api/v1/courses/versioned-course/lessons/coordination-mechanisms")

    newer = dict(base)
    newer["course.yaml"] = ("id: migration-governance", "id: versioned-course")
    package = zipped(COURSES / "migration-governance", newer)
    package = _bump(package, "1.1.0")
    assert upload(author, package).status_code == 201
    author.post("/api/v1/courses/versioned-course/versions/1.1.0/publish")
    assert learner.get("/api/v1/courses/versioned-course").get_json()["version"] == "1.0.0"

    moved = learner.post("/api/v1/courses/versioned-course/enrollment", json={"version": "1.1.0"})
    assert moved.status_code == 200 and moved.get_json()["version"] == "1.1.0"
    progress = learner.get("/api/v1/courses/versioned-course/progress").get_json()
    assert progress["items"]["coordination-mechanisms"]["status"] == "viewed"  # carried over

    counts = author.get("/api/v1/courses/versioned-course/versions").get_json()["items"]
    assert [(v["version"], v["enrolled"]) for v in counts] == [("1.0.0", 1), ("1.1.0", 1)]
    everyone = author.post("/api/v1/courses/versioned-course/versions/1.1.0/move-learners")
    assert everyone.get_json()["moved"] == 1
    assert other_learner.get("/api/v1/courses/versioned-course").get_json()["version"] == "1.1.0"


def _bump(package: bytes, version: str) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(package))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for info in source.infolist():
            data = source.read(info)
            if info.filename.endswith("course.yaml"):
                data = data.replace(b'version: "1.0.0"', f'version: "{version}"'.encode())
            archive.writestr(info, data)
    return out.getvalue()


def test_prerequisites_are_named_until_their_certificates_are_held(
    app: Flask, author: Api, learner: Api
):
    changed = {
        "course.yaml": (
            "id: migration-governance",
            "id: advanced-course\nprerequisites: [ctip-humanitarian]",
        )
    }
    assert upload(author, zipped(COURSES / "migration-governance", changed)).status_code == 201
    author.post("/api/v1/courses/advanced-course/versions/1.0.0/publish")
    refused = learner.post("/api/v1/courses/advanced-course/enrollment")
    assert refused.status_code == 403
    error = refused.get_json()["error"]
    assert "Counter Trafficking in Persons in Humanitarian Settings" in error["message"]
    assert error["details"] == [
        {
            "course_id": "ctip-humanitarian",
            "title": "Counter Trafficking in Persons in Humanitarian Settings",
        }
    ]
    complete_course(app, learner, "ctip-humanitarian")
    assert learner.post("/api/v1/courses/advanced-course/enrollment").status_code == 201


def test_co_authors_named_by_the_owner_may_publish(app: Flask, author: Api):
    other = make_user(app, "second@example.org", "author", "Second Author")
    changed = {"course.yaml": ("id: migration-governance", "id: shared-work")}
    assert upload(author, zipped(COURSES / "migration-governance", changed)).status_code == 201
    assert other.post("/api/v1/courses/shared-work/versions/1.0.0/publish").status_code == 403
    added = author.post("/api/v1/courses/shared-work/authors", json={"email": "second@example.org"})
    assert added.status_code == 201
    assert (
        other.post("/api/v1/courses/shared-work/authors", json={"email": "x@y.org"}).status_code
        == 403
    )
    assert other.post("/api/v1/courses/shared-work/versions/1.0.0/publish").status_code == 200
    assert (
        author.post(
            "/api/v1/courses/shared-work/authors", json={"email": "nobody@x.org"}
        ).status_code
        == 400
    )


def _image_package() -> bytes:
    image = io.BytesIO()
    Image.new("RGB", (1600, 900), (200, 170, 90)).save(image, "PNG")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(
            "course.yaml",
            "id: picture-course\nversion: 1.0.0\ntitle: Pictures\nlanguage: en\nmodules:\n"
            "  - id: m1\n    title: M\n    items:\n      - lesson: lessons/one.md\n",
        )
        archive.writestr(
            "lessons/one.md", "---\ntitle: One\n---\n![A wide map](../assets/map.png)\n"
        )
        archive.writestr("assets/map.png", image.getvalue())
        archive.writestr("assets/guide.pdf", b"%PDF-1.4 " + b"x" * 5000)
    return buffer.getvalue()


def test_images_get_web_sizes_and_assets_support_ranges_and_caching(
    app: Flask, author: Api, learner: Api
):
    assert upload(author, _image_package()).status_code == 201
    author.post("/api/v1/courses/picture-course/versions/1.0.0/publish")
    learner.post("/api/v1/courses/picture-course/enrollment")
    html = learner.get("/api/v1/courses/picture-course/lessons/one").get_json()["html"]
    prefix = "/courses/picture-course/assets/1.0.0/assets/"
    assert f"{prefix}map.png@480w.webp 480w" in html and f"{prefix}map.png 1600w" in html
    assert 'loading="lazy"' in html

    client = app.test_client()
    small = client.get(f"{prefix}map.png@480w.webp")
    assert small.status_code == 200 and small.mimetype == "image/webp"
    original = client.get(f"{prefix}map.png")
    assert original.mimetype == "image/png" and "immutable" in original.headers["Cache-Control"]
    etag = original.headers["ETag"]
    assert client.get(f"{prefix}map.png", headers={"If-None-Match": etag}).status_code == 304
    part = client.get(f"{prefix}guide.pdf", headers={"Range": "bytes=0-7"})
    assert part.status_code == 206 and part.data == b"%PDF-1.4"
    assert part.headers["Content-Range"].startswith("bytes 0-7/")
    # sources are never served: lessons and quizzes stay private
    assert client.get("/courses/picture-course/assets/1.0.0/lessons/one.md").status_code == 404
    assert (
        client.get("/courses/ctip-humanitarian/assets/1.0.0/quizzes/m1-quiz.yaml").status_code
        == 404
    )


def test_hostile_packages_get_located_errors(author: Api):
    def zip_with(name: str, data: bytes, mode: int = 0o100644) -> bytes:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w") as archive:
            info = zipfile.ZipInfo(name)
            info.external_attr = mode << 16
            archive.writestr(info, data)
            archive.writestr("course.yaml", "id: hostile\n")
        return buffer.getvalue()

    for name, mode in (("../../etc/cron.d/x", 0o100644), ("/abs/path", 0o100644),
                       ("dev/null", 0o020666), ("link", 0o120777)):  # fmt: skip
        response = upload(author, zip_with(name, b"x", mode))
        assert response.status_code == 422, name
        details = response.get_json()["error"]["details"]
        assert any(name.lstrip("/") in (d["file"] or "") or d["file"] == name for d in details)

    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("course.yaml", "id: bomb\n")
        archive.writestr("assets/zeros.bin", b"\0" * (3 * 1024 * 1024))
    response = upload(author, bomb.getvalue())
    assert response.status_code == 422  # the configured test limit below is exceeded


@pytest.fixture
def app(make_app) -> Flask:  # type: ignore[no-untyped-def]
    return make_app(PACKAGE_MAX_UNZIPPED_BYTES=2 * 1024 * 1024)  # type: ignore[no-any-return]


def test_uploads_past_the_size_limit_are_413(make_app, tmp_path: Path):  # type: ignore[no-untyped-def]
    small = make_app(MAX_CONTENT_LENGTH=1000)
    author = make_user(small, "big@example.org", "author")
    response = upload(author, b"x" * 5000)
    assert response.status_code == 413
    assert response.get_json()["error"]["code"] == "too_large"


def test_the_course_page_offers_the_newer_version_to_an_enrolled_learner(
    app: Flask, author: Api, learner: Api
):
    base = {"course.yaml": ("id: migration-governance", "id: page-versioned")}
    upload(author, zipped(COURSES / "migration-governance", base))
    author.post("/api/v1/courses/page-versioned/versions/1.0.0/publish")
    learner.post("/api/v1/courses/page-versioned/enrollment")
    assert "Switch to version" not in learner.get("/courses/page-versioned").get_data(as_text=True)
    upload(author, _bump(zipped(COURSES / "migration-governance", base), "2.0.0"))
    author.post("/api/v1/courses/page-versioned/versions/2.0.0/publish")
    page = learner.get("/courses/page-versioned").get_data(as_text=True)
    assert "Switch to version 2.0.0" in page
    switched = learner.client.post(
        "/courses/page-versioned/switch-version",
        data={"version": "2.0.0"},
        headers={"Authorization": f"Bearer {learner.token}"},
    )
    assert switched.status_code == 302
    assert learner.get("/api/v1/courses/page-versioned").get_json()["version"] == "2.0.0"
