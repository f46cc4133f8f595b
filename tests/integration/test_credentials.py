"""The signed Open Badges credential: served publicly, checked against the issuer's published
keys, the same from every server, and still valid after the signing key is rotated."""

from __future__ import annotations

from typing import Any

from flask import Flask

from lms.certificates import credential as vc
from lms.timeutil import utcnow
from tests.conftest import Api
from tests.integration.test_journey_api import complete_course


def _certified(app: Flask, learner: Api) -> str:
    complete_course(app, learner)
    code: str = learner.get("/api/v1/me/certificates").get_json()["items"][0]["code"]
    return code


def _credential(client: Any, code: str) -> str:
    response = client.get(f"/api/v1/certificates/{code}/credential")
    assert response.status_code == 200
    assert response.mimetype == "application/vc+jwt"
    return str(response.get_data(as_text=True))


def test_the_credential_states_the_certificate_and_verifies_with_the_published_keys(
    app: Flask, learner: Api
):
    code = _certified(app, learner)
    anonymous = app.test_client()
    token = _credential(anonymous, code)
    issuer = anonymous.get("/api/v1/issuer").get_json()
    assert issuer["type"] == ["Profile"] and issuer["id"].endswith("/api/v1/issuer")
    assert all("d" not in key for key in issuer["keys"])  # never the private half
    found = vc.verify(token, vc.keys_from_jwks(issuer), utcnow())
    facts = anonymous.get(f"/api/v1/certificates/{code}").get_json()
    summary = vc.summary(found)
    assert summary["holder"] == facts["holder_name"]
    assert summary["course"] == facts["course_title"]
    assert summary["code"] == code
    assert summary["issued"] == facts["issued_at"]
    assert found["issuer"]["id"] == issuer["id"]
    assert _credential(anonymous, code) == token  # stable: the same facts, the same token
    assert _credential(anonymous, code.lower().replace("-", "")) == token
    page = anonymous.get(f"/verify/{code}").get_data(as_text=True)
    assert f'href="/api/v1/certificates/{code}/credential"' in page
    assert 'href="/api/v1/issuer"' in page


def test_an_unknown_code_is_404_in_the_contract_shape(app: Flask):
    response = app.test_client().get("/api/v1/certificates/0000-0000-0000-0000/credential")
    assert response.status_code == 404
    assert response.get_json()["error"]["code"] == "not_found"


def test_two_servers_sign_with_the_same_key(make_app: Any, app: Flask, learner: Api):
    code = _certified(app, learner)
    other = make_app()  # a second server on the same database
    assert _credential(other.test_client(), code) == _credential(app.test_client(), code)
    first = app.test_client().get("/api/v1/issuer").get_json()["keys"]
    assert other.test_client().get("/api/v1/issuer").get_json()["keys"] == first


def test_a_rotated_key_stays_published_and_its_credentials_still_verify(app: Flask, learner: Api):
    code = _certified(app, learner)
    client = app.test_client()
    before = _credential(client, code)
    rotated = app.test_cli_runner().invoke(args=["certificates", "rotate-key"])
    assert rotated.exit_code == 0, rotated.output
    after = _credential(client, code)
    assert after != before
    keys = client.get("/api/v1/issuer").get_json()["keys"]
    assert len(keys) == 2 and "retired_at" in keys[0] and "retired_at" not in keys[1]
    trusted = vc.keys_from_jwks({"keys": keys})
    assert vc.summary(vc.verify(before, trusted, utcnow()))["code"] == code
    assert vc.summary(vc.verify(after, trusted, utcnow()))["code"] == code
