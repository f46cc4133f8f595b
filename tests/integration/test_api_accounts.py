"""Accounts through the API: registration rules, tokens, the current user."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import PASSWORD, Api


def test_register_returns_the_account(client: FlaskClient):
    response = client.post(
        "/api/v1/auth/register",
        json={"email": "Rosa@Example.org", "password": PASSWORD, "name": "Rosa", "locale": "es"},
    )
    assert response.status_code == 201
    body = response.get_json()
    assert body["email"] == "rosa@example.org" and body["locale"] == "es"
    assert set(body) == {"id", "email", "name", "locale"}


def test_taken_email_is_409_email_taken(client: FlaskClient, learner: Api):
    response = client.post(
        "/api/v1/auth/register",
        json={"email": "ANA@example.org", "password": PASSWORD, "name": "Another Ana"},
    )
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "email_taken"


def test_weak_and_missing_fields_are_400_with_the_fields_at_fault(client: FlaskClient):
    response = client.post(
        "/api/v1/auth/register", json={"email": "x@example.org", "password": "short", "name": ""}
    )
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["code"] == "invalid_input"
    assert {d["field"] for d in error["details"]} == {"password", "name"}

    common = client.post(
        "/api/v1/auth/register",
        json={"email": "y@example.org", "password": "password123", "name": "Y"},
    )
    assert common.status_code == 400
    assert common.get_json()["error"]["details"][0]["field"] == "password"

    missing = client.post("/api/v1/auth/register", json={"email": "z@example.org"})
    assert missing.status_code == 400
    assert {d["field"] for d in missing.get_json()["error"]["details"]} == {"password", "name"}


def test_bodies_that_are_not_json_objects_are_400(client: FlaskClient):
    for body in (b"not json", b"[1, 2]", b'"text"'):
        response = client.post(
            "/api/v1/auth/token", data=body, headers={"Content-Type": "application/json"}
        )
        assert response.status_code == 400
        assert response.get_json()["error"]["code"] == "bad_request"


def test_token_me_and_revocation(client: FlaskClient, learner: Api):
    me = learner.get("/api/v1/me")
    assert me.status_code == 200
    assert me.get_json() == {
        "id": me.get_json()["id"],
        "email": "ana@example.org",
        "name": "Ana Pérez",
        "locale": None,
        "roles": ["learner"],
    }
    bad = client.post("/api/v1/auth/token", json={"email": "ana@example.org", "password": "nope"})
    assert bad.status_code == 401 and bad.get_json()["error"]["code"] == "unauthorized"
    unknown = client.post("/api/v1/auth/token", json={"email": "no@example.org", "password": "x"})
    assert unknown.get_json()["error"]["message"] == bad.get_json()["error"]["message"]

    assert learner.delete("/api/v1/auth/token").status_code == 204
    assert learner.get("/api/v1/me").status_code == 401


def test_anonymous_and_forged_tokens_are_401(client: FlaskClient):
    assert client.get("/api/v1/me").status_code == 401
    forged = client.get("/api/v1/me", headers={"Authorization": "Bearer made-up"})
    assert forged.status_code == 401
    assert forged.get_json()["error"]["code"] == "unauthorized"


def test_expired_tokens_are_refused(app: Flask, learner: Api):
    from datetime import timedelta

    from lms.auth.models import ApiToken
    from lms.extensions import db
    from lms.timeutil import utcnow

    with app.app_context():
        for token in db.session.scalars(db.select(ApiToken)):
            token.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    assert learner.get("/api/v1/me").status_code == 401


def test_patch_me_changes_name_and_language(learner: Api):
    response = learner.patch("/api/v1/me", json={"name": "Ana María Pérez", "locale": "es"})
    assert response.status_code == 200
    assert response.get_json()["name"] == "Ana María Pérez"
    assert learner.patch("/api/v1/me", json={"locale": "xx"}).status_code == 400
    assert learner.patch("/api/v1/me", json={"name": ""}).status_code == 400


def test_cookie_session_api_calls_need_the_csrf_header(app: Flask):
    from tests.conftest import csrf_token

    client = app.test_client()
    page = client.get("/register").get_data(as_text=True)
    token = csrf_token(page)
    client.post(
        "/register",
        data={"csrf_token": token, "name": "Eva", "email": "eva@example.org", "password": PASSWORD},
    )
    assert client.get("/api/v1/me").get_json()["email"] == "eva@example.org"
    refused = client.post("/api/v1/courses/ctip-humanitarian/enrollment")
    assert refused.status_code == 400
    accepted = client.post(
        "/api/v1/courses/ctip-humanitarian/enrollment", headers={"X-CSRFToken": token}
    )
    assert accepted.status_code == 201


def test_health(client: FlaskClient):
    assert client.get("/healthz").get_json() == {"status": "ok", "database": "ok"}
