"""`flask --app lms certificates verify`: a certificate PDF or credential checked offline,
against this installation's keys or a published key set, and every way it can fail."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from flask import Flask

from lms.certificates import credential as vc
from lms.certificates.render import html_to_pdf
from tests.conftest import Api
from tests.integration.test_journey_api import complete_course


@pytest.fixture
def issued(app: Flask, learner: Api, admin: Api, tmp_path: Path) -> dict:
    """A certified learner's PDF and credential on disk, and the issuer's published keys."""
    complete_course(app, learner)
    code = learner.get("/api/v1/me/certificates").get_json()["items"][0]["code"]
    pdf = learner.get(f"/api/v1/certificates/{code}.pdf")
    assert pdf.status_code == 200
    (tmp_path / "certificate.pdf").write_bytes(pdf.data)
    token = app.test_client().get(f"/api/v1/certificates/{code}/credential").get_data()
    (tmp_path / "credential.jwt").write_bytes(token)
    issuer = app.test_client().get("/api/v1/issuer").get_data()
    (tmp_path / "issuer.json").write_bytes(issuer)
    return {"code": code, "dir": tmp_path, "admin": admin, "token": token.decode()}


def _verify(app: Flask, *args: str) -> tuple[int, str]:
    result = app.test_cli_runner().invoke(args=["certificates", "verify", *args])
    return result.exit_code, result.output


def test_a_certificate_pdf_checks_out_offline(app: Flask, issued: dict):
    folder = issued["dir"]
    for args in (
        [str(folder / "certificate.pdf")],
        [str(folder / "certificate.pdf"), "--issuer-key", str(folder / "issuer.json")],
        [str(folder / "credential.jwt"), "--issuer-key", str(folder / "issuer.json")],
    ):
        status, output = _verify(app, *args)
        assert status == 0, output
        assert output.strip().endswith("valid")
        assert f"code: {issued['code']}" in output
        assert "holder: Ana Pérez" in output and "course: " in output


def test_a_pdf_whose_visible_facts_were_changed_fails(app: Flask, issued: dict):
    forged = issued["dir"] / "forged.pdf"
    page = f"<p>Certificate of Completion</p><p>Someone Else</p><p>{issued['code']}</p>"
    forged.write_bytes(html_to_pdf(page, "x", "x", files={"credential.jwt": issued["token"]}))
    status, output = _verify(app, str(forged))
    assert status == 1 and "not valid: The PDF does not show the signed holder" in output


def test_what_is_not_a_signed_certificate_fails_with_a_reason(app: Flask, issued: dict):
    folder = issued["dir"]
    plain = folder / "plain.pdf"
    plain.write_bytes(html_to_pdf("<p>A certificate, they say</p>", "x", "x"))
    garbage = folder / "garbage.bin"
    garbage.write_bytes(b"\x00\x01 not a credential")
    broken = folder / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\nthen nothing a reader can use")
    stranger = folder / "stranger.json"
    stranger.write_text(json.dumps({"keys": [vc.public_jwk(vc.new_key())]}))
    not_json = folder / "not.json"
    not_json.write_text("kty=OKP")
    cases = [
        ([str(plain)], "carries no credential"),
        ([str(garbage)], "not a signed credential"),
        ([str(broken)], "cannot be read"),
        ([str(folder / "certificate.pdf"), "--issuer-key", str(stranger)], "No trusted key"),
        ([str(folder / "certificate.pdf"), "--issuer-key", str(not_json)], "not JSON"),
    ]
    for args, reason in cases:
        status, output = _verify(app, *args)
        assert status == 1, (args, output)
        assert output.startswith("not valid: ") and reason in output, (args, output)


def test_a_revoked_certificate_fails_here_and_verifies_offline_as_issued(app: Flask, issued: dict):
    revoked = issued["admin"].post(
        f"/api/v1/certificates/{issued['code']}/revoke", json={"reason": "issued in error"}
    )
    assert revoked.status_code == 200
    pdf = str(issued["dir"] / "certificate.pdf")
    status, output = _verify(app, pdf)
    assert status == 1 and "not valid: The certificate is revoked." in output
    # with only the published keys and no network, the signature is all there is to check
    status, output = _verify(app, pdf, "--issuer-key", str(issued["dir"] / "issuer.json"))
    assert status == 0 and output.strip().endswith("valid")


def test_pdfs_stored_before_credentials_get_theirs(app: Flask, issued: dict):
    from lms.certificates.models import Certificate
    from lms.extensions import db

    with app.app_context():  # as a certificate issued before PDFs carried a credential
        stored = db.session.scalar(db.select(Certificate).where(Certificate.code == issued["code"]))
        stored.pdf = html_to_pdf("<p>An older certificate</p>", "x", "x")
        db.session.commit()
    old = issued["dir"] / "old.pdf"
    old.write_bytes(issued["admin"].get(f"/api/v1/certificates/{issued['code']}.pdf").data)
    status, output = _verify(app, str(old))
    assert status == 1 and "carries no credential" in output

    runner = app.test_cli_runner()
    first = runner.invoke(args=["certificates", "embed-credentials"])
    assert first.exit_code == 0 and first.output.startswith("1 certificate PDF(s)")
    again = runner.invoke(args=["certificates", "embed-credentials"])
    assert again.output.startswith("0 certificate PDF(s)")  # nothing left to do
    new = issued["dir"] / "new.pdf"
    new.write_bytes(issued["admin"].get(f"/api/v1/certificates/{issued['code']}.pdf").data)
    status, output = _verify(app, str(new))
    assert status == 0 and output.strip().endswith("valid")
