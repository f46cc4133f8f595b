"""Certificates: the QR code leads to the verification page; revocation; who may download."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from flask import Flask

from tests.conftest import Api
from tests.integration.test_journey_api import complete_course


@pytest.fixture
def certified(app: Flask, learner: Api) -> str:
    complete_course(app, learner)
    return learner.get("/api/v1/me/certificates").get_json()["items"][0]["code"]


@pytest.mark.skipif(shutil.which("zbarimg") is None, reason="zbar-tools is not installed")
def test_the_qr_code_on_the_pdf_opens_the_verification_page(
    app: Flask, learner: Api, certified: str, tmp_path: Path
):
    pdf = learner.get(f"/api/v1/certificates/{certified}.pdf").data
    (tmp_path / "c.pdf").write_bytes(pdf)
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "150",
            "-singlefile",
            str(tmp_path / "c.pdf"),
            str(tmp_path / "c"),
        ],
        check=True,
    )
    decoded = subprocess.run(
        ["zbarimg", "--quiet", "--raw", str(tmp_path / "c.png")],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert decoded == f"http://lms.test/verify/{certified}"
    page = app.test_client().get(decoded.removeprefix("http://lms.test"))
    assert page.status_code == 200
    assert "This certificate is valid" in page.get_data(as_text=True)


def test_the_pdf_is_stored_once_and_served_from_storage(app: Flask, learner: Api, certified: str):
    first = learner.get(f"/api/v1/certificates/{certified}.pdf").data
    second = learner.get(f"/api/v1/certificates/{certified}.pdf").data
    assert first == second  # the stored bytes, not a new rendering
    spanish = learner.get(f"/api/v1/certificates/{certified}.pdf?lang=es")
    assert spanish.status_code == 200
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=spanish.data, capture_output=True, check=True
    ).stdout.decode()
    assert "Se certifica que" in text


def test_codes_are_unguessable_and_typed_codes_are_forgiven(app: Flask, certified: str):
    assert len(certified) == 19 and certified.count("-") == 3
    client = app.test_client()
    assert client.get(f"/api/v1/certificates/{certified.lower()}").status_code == 200
    assert client.get(f"/api/v1/certificates/{certified.replace('-', '')}").status_code == 200
    missing = client.get("/api/v1/certificates/ZZZZ-ZZZZ-ZZZZ-ZZZZ")
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"
    assert client.get("/verify/not-a-code").status_code == 404
    assert client.get("/api/v1/certificates/%3Cscript%3E").status_code == 404


def test_revocation_by_an_admin_shows_on_every_face(
    app: Flask, learner: Api, other_learner: Api, admin: Api, certified: str
):
    url = f"/api/v1/certificates/{certified}/revoke"
    assert other_learner.post(url, json={"reason": "x"}).status_code == 403
    assert admin.post(url, json={}).status_code == 400
    response = admin.post(url, json={"reason": "Issued in error"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["status"] == "revoked" and body["revoked_reason"] == "Issued in error"
    assert body["revoked_at"].endswith("Z")
    page = app.test_client().get(f"/verify/{certified}").get_data(as_text=True)
    assert "has been revoked" in page and "Issued in error" in page
    mine = learner.get("/api/v1/me/certificates").get_json()["items"][0]
    assert mine["status"] == "revoked"
    # admins may download any certificate
    assert admin.get(f"/api/v1/certificates/{certified}.pdf").status_code == 200


def test_dashboard_lists_the_certificate_with_its_links(app: Flask, learner: Api, certified: str):
    body = learner.get("/api/v1/me/certificates").get_json()["items"][0]
    assert body["verify_url"] == f"http://lms.test/verify/{certified}"
    assert body["pdf_url"] == f"http://lms.test/api/v1/certificates/{certified}.pdf"
    assert body["course_id"] == "ctip-humanitarian"
    assert body["expires_at"] is None
