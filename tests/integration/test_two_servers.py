"""Two gunicorn servers with their own instance folders and one database serve the same learner
interchangeably: uploads, images, sessions, attempts and certificates cross between them."""

from __future__ import annotations

import io
import re
import struct
import subprocess
import zipfile
import zlib
from pathlib import Path

import pytest
import requests
from flask import Flask

from tests.answers import right_answers
from tests.conftest import PASSWORD, make_user
from tests.servers import running_server

pytestmark = pytest.mark.slow


def tiny_png() -> bytes:
    """A real 2x2 PNG, made here so the test needs no image files."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = b"\x00\xff\x00\x00\x00\x00\xff\x00" * 2
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0)[:13])
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


PNG = tiny_png()


def package() -> bytes:
    files = {
        "course.yaml": (
            "id: shared-course\nversion: 1.0.0\ntitle: Shared course\nlanguage: en\n"
            "estimated_hours: 1\nmodules:\n  - id: m1\n    title: Only module\n    items:\n"
            "      - lesson: lessons/one.md\n      - quiz: quizzes/check.yaml\n"
        ),
        "lessons/one.md": "---\ntitle: One\n---\nA map: ![map](../assets/map.png)\n",
        "quizzes/check.yaml": (
            "title: Check\nquestions:\n"
            '  - {id: q1, type: true_false, prompt: "Is it sure?", answer: true}\n'
        ),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, text in files.items():
            archive.writestr(path, text)
        archive.writestr("assets/map.png", PNG)
    return buffer.getvalue()


def csrf(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match
    return match.group(1)


def test_two_servers_serve_the_same_learner(app: Flask, database_uri: str, tmp_path: Path):
    make_user(app, "author@example.org", "author", "Course Author")
    with (
        running_server(database_uri, tmp_path / "a") as server_a,
        running_server(database_uri, tmp_path / "b") as server_b,
    ):
        author = requests.post(
            f"{server_a}/api/v1/auth/token",
            json={"email": "author@example.org", "password": PASSWORD},
            timeout=10,
        ).json()["token"]
        auth = {"Authorization": f"Bearer {author}"}
        uploaded = requests.post(
            f"{server_a}/api/v1/courses",
            files={"file": ("shared.zip", package())},
            headers=auth,
            timeout=30,
        )
        assert uploaded.status_code == 201, uploaded.text
        published = requests.post(
            f"{server_b}/api/v1/courses/shared-course/versions/1.0.0/publish",
            headers=auth,
            timeout=10,
        )
        assert published.status_code == 200

        image = requests.get(
            f"{server_b}/courses/shared-course/assets/1.0.0/assets/map.png", timeout=10
        )
        assert image.status_code == 200 and image.headers["Content-Type"] == "image/png"
        assert image.content == PNG

        # a learner registers on A and carries on, with the same cookie, on B
        browser = requests.Session()
        form = browser.get(f"{server_a}/register", timeout=10).text
        registered = browser.post(
            f"{server_a}/register",
            data={"csrf_token": csrf(form), "name": "Rosa Quispe", "email": "rosa@example.org",
                  "password": PASSWORD},
            timeout=10,
        )  # fmt: skip
        assert registered.status_code == 200 and "Rosa Quispe" in registered.text
        course_page = browser.get(f"{server_b}/courses/shared-course", timeout=10).text
        enrolled = browser.post(
            f"{server_b}/courses/shared-course/enroll",
            data={"csrf_token": csrf(course_page)},
            timeout=10,
        )
        assert enrolled.status_code == 200 and "A map" in enrolled.text  # landed on the lesson
        assert 'src="/courses/shared-course/assets/1.0.0/assets/map.png"' in enrolled.text

        # the quiz is started on A and submitted on B, with a token from B
        token = requests.post(
            f"{server_b}/api/v1/auth/token",
            json={"email": "rosa@example.org", "password": PASSWORD},
            timeout=10,
        ).json()["token"]
        learner = {"Authorization": f"Bearer {token}"}
        attempt = requests.post(
            f"{server_a}/api/v1/courses/shared-course/quizzes/check/attempts",
            headers=learner,
            timeout=10,
        ).json()
        answers = right_answers(app, attempt["attempt_id"], attempt["questions"])
        result = requests.post(
            f"{server_b}/api/v1/attempts/{attempt['attempt_id']}/submit",
            json={"answers": answers},
            headers=learner,
            timeout=30,
        ).json()
        assert result["passed"] is True

        certificate = requests.get(
            f"{server_a}/api/v1/me/certificates", headers=learner, timeout=10
        ).json()["items"][0]
        pdf = requests.get(
            f"{server_b}/api/v1/certificates/{certificate['code']}.pdf", headers=learner, timeout=10
        )
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
        verify = requests.get(f"{server_b}/verify/{certificate['code']}", timeout=10)
        assert "This certificate is valid" in verify.text
        # links are made by the server answering; the QR code by the one that issued (B)
        assert certificate["verify_url"] == f"{server_a}/verify/{certificate['code']}"
        text = subprocess.run(
            ["pdftotext", "-", "-"], input=pdf.content, capture_output=True, check=True
        ).stdout.decode()
        assert f"{server_b}/verify/{certificate['code']}" in text.replace("\n", "")
