"""The session cookie (lms/auth/cookies.py): remembered once verified, but a forged, altered
or expired cookie is still refused, and what one request changes never leaks to the next."""

from __future__ import annotations

import time
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import csrf_token
from tests.integration.test_journey_pages import _register


def _signed_in(app: Flask) -> tuple[FlaskClient, str]:
    client = app.test_client()
    _register(client, "Ana Pérez", "ana@example.org")
    cookie = client.get_cookie("session")
    assert cookie is not None
    return client, cookie.value


def _dashboard_with(app: Flask, cookie: str) -> int:
    other = app.test_client()
    other.set_cookie("session", cookie)
    return other.get("/my").status_code


def test_a_remembered_cookie_signs_in_and_an_altered_one_does_not(app: Flask):
    client, cookie = _signed_in(app)
    assert client.get("/my").status_code == 200
    assert _dashboard_with(app, cookie) == 200  # remembered by now
    payload, _dot, signature = cookie.rpartition(".")
    # the first character: the last one of base64 may carry only ignored padding bits
    flipped = ("A" if signature[0] != "A" else "B") + signature[1:]
    assert _dashboard_with(app, f"{payload}.{flipped}") == 302
    assert _dashboard_with(app, "x" + cookie) == 302


def test_a_remembered_cookie_still_expires(app: Flask, monkeypatch: pytest.MonkeyPatch):
    _client, cookie = _signed_in(app)
    assert _dashboard_with(app, cookie) == 200
    lifetime = app.permanent_session_lifetime.total_seconds()
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() + lifetime + 60)
    assert _dashboard_with(app, cookie) == 302


def test_a_change_made_by_one_request_stays_out_of_the_remembered_session(app: Flask):
    seen: list[dict[str, Any]] = []

    @app.get("/t/session")
    def peek() -> str:
        from flask import session

        seen.append(dict(session))
        session["scratch"] = "changed"
        return "ok"

    _client, cookie = _signed_in(app)
    assert _dashboard_with(app, cookie) == 200
    for _ in range(2):
        other = app.test_client()
        other.set_cookie("session", cookie)
        other.get("/t/session")
    assert "scratch" not in seen[0] and "scratch" not in seen[1]


def _with_other_cookies(app: Flask, session_cookie: str, **others: str) -> FlaskClient:
    client = app.test_client()
    for name, value in others.items():
        client.set_cookie(name, value)
    client.set_cookie("session", session_cookie)
    return client


def test_the_session_cookie_is_read_among_other_cookies(app: Flask):
    """Remembered by the whole Cookie header: another cookie beside it changes nothing, and an
    altered session cookie beside the same other cookie is still refused."""
    client, _first = _signed_in(app)
    client.get("/my")  # shows (and so removes) the welcome message: the cookie changes once
    found = client.get_cookie("session")
    assert found is not None
    cookie = found.value
    for others in ({"theme": "dark"}, {"theme": "dark", "lang": "es-419"}):
        browser = _with_other_cookies(app, cookie, **others)
        for _twice in range(2):  # verified, then remembered
            page = browser.get("/my")
            assert page.status_code == 200, others
            assert page.headers.get("Set-Cookie") is None  # an unchanged session is not re-sent
    payload, _dot, signature = cookie.rpartition(".")
    # the signature's first character: the last one of base64 may carry only padding bits
    altered = f"{payload}.{'A' if signature[0] != 'A' else 'B'}{signature[1:]}"
    assert _with_other_cookies(app, altered, theme="dark").get("/my").status_code == 302


def test_a_changed_session_is_sent_back_and_an_unchanged_one_is_not(app: Flask):
    client, _cookie = _signed_in(app)
    client.get("/my")  # shows (and so removes) the welcome message: the session changed
    unchanged = client.get("/my")
    assert unchanged.headers.get("Set-Cookie") is None
    assert "Cookie" in unchanged.headers.get("Vary", "")
    token = csrf_token(client.get("/my").get_data(as_text=True))
    signed_out = client.post("/logout", data={"csrf_token": token})
    assert "session=" in signed_out.headers.get("Set-Cookie", "")
