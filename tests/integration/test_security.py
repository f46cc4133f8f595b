"""Rate limits, cookies, headers, CSRF on every unsafe method, and inert author HTML."""

from __future__ import annotations

import io
import re
import zipfile

from flask import Flask

from tests.conftest import PASSWORD, Api, csrf_token, sign_in


def test_login_registration_and_tokens_are_rate_limited(make_app):
    app = make_app(
        RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="3 per minute", REGISTER_RATE_LIMIT="2 per minute"
    )
    client = app.test_client()
    for _ in range(3):
        assert (
            client.post(
                "/api/v1/auth/token", json={"email": "a@b.org", "password": "x"}
            ).status_code
            == 401
        )
    limited = client.post("/api/v1/auth/token", json={"email": "a@b.org", "password": "x"})
    assert limited.status_code == 429
    assert limited.get_json()["error"]["code"] == "rate_limited"
    # the login form shares the login budget
    page = client.get("/login")
    assert page.status_code == 200  # GET is never limited
    form = client.post(
        "/login",
        data={"csrf_token": csrf_token(page.get_data(as_text=True)), "email": "A@b.org"},
    )
    assert form.status_code == 429

    client = app.test_client()  # no session cookie, so no CSRF token needed
    for n in range(2):
        client.post(
            "/api/v1/auth/register",
            json={"email": f"n{n}@b.org", "password": PASSWORD, "name": "N"},
        )
    taken = client.post(
        "/api/v1/auth/register", json={"email": "n0@b.org", "password": PASSWORD, "name": "N"}
    )
    assert taken.status_code == 429


_REFUSED = {"email": "nobody@example.org", "password": "wrong"}

# Another server on the same database: its own process, so nothing in memory is shared.
_OTHER_SERVER = """
import json, sys
from lms import create_app
app = create_app(json.loads(sys.argv[1]))
client = app.test_client()
print(",".join(
    str(client.post("/api/v1/auth/token", json={"email": "nobody@example.org",
                                                "password": "wrong"}).status_code)
    for _ in range(int(sys.argv[2]))
))
"""


def test_a_cohort_behind_one_address_signs_in_and_the_address_is_still_capped(make_app):
    """An office signs its staff in from one public address: each account has its own
    budget of tries, and the address as a whole a larger one."""
    app = make_app(
        RATELIMIT_ENABLED=True,
        LOGIN_RATE_LIMIT="2 per minute",
        LOGIN_ADDRESS_RATE_LIMIT="12 per minute",
    )
    client = app.test_client()

    def attempt(n: int) -> int:
        body = {"email": f"staff{n}@ministry.example.org", "password": "wrong"}
        return client.post("/api/v1/auth/token", json=body).status_code

    assert [attempt(n) for n in range(10)] == [401] * 10  # ten people, one try each
    assert [attempt(0), attempt(0)] == [401, 429]  # one account: its own budget is spent
    assert attempt(10) == 429  # the address has had its twelve (ten, then two of one account)


def test_every_server_and_worker_counts_against_one_budget(make_app, database_uri: str):
    """Two servers on one database: a client that spreads its attempts over both still gets
    the configured number, not that number per server (or per gunicorn worker)."""
    import json
    import subprocess
    import sys

    limits = {"RATELIMIT_ENABLED": True, "LOGIN_RATE_LIMIT": "4 per minute"}
    app = make_app(**limits)
    client = app.test_client()
    assert [client.post("/api/v1/auth/token", json=_REFUSED).status_code for _ in range(2)] == [
        401,
        401,
    ]
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "SQLALCHEMY_DATABASE_URI": database_uri,
        "BASE_URL": "http://lms.test",
        **limits,
    }
    other = subprocess.run(
        [sys.executable, "-c", _OTHER_SERVER, json.dumps(config), "3"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert other.stdout.strip().splitlines()[-1] == "401,401,429"
    assert client.post("/api/v1/auth/token", json=_REFUSED).status_code == 429


def test_simultaneous_attempts_are_each_counted(make_app):
    """Hits arriving at once from many threads (workers) are all counted: exactly the
    limit gets through."""
    import threading

    app = make_app(RATELIMIT_ENABLED=True, LOGIN_RATE_LIMIT="6 per minute")
    statuses: list[int] = []
    start = threading.Barrier(12)

    def attempt() -> None:
        client = app.test_client()
        start.wait(timeout=30)
        statuses.append(client.post("/api/v1/auth/token", json=_REFUSED).status_code)

    threads = [threading.Thread(target=attempt) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(statuses) == [401] * 6 + [429] * 6


def test_a_window_that_ended_starts_again(app: Flask):
    import time

    from lms.ratelimits import DatabaseStorage

    storage = DatabaseStorage("lms-database://")
    with app.app_context():
        assert [storage.incr("k", 60) for _ in range(3)] == [1, 2, 3]
        assert storage.get("k") == 3 and storage.get_expiry("k") > time.time() + 50
        assert storage.incr("short", 1) == 1
        time.sleep(1.1)
        assert storage.get("short") == 0
        assert storage.incr("short", 1) == 1  # a new window, not the old count plus one
        storage.clear("k")
        assert storage.get("k") == 0 and storage.check()
        assert storage.reset() == 1  # the "short" window's row
        long_keys = ["LIMITER/" + "a" * 300, "LIMITER/" + "a" * 299 + "b"]
        assert [storage.incr(k, 60) for k in long_keys] == [1, 1]  # kept apart
        assert storage.get(long_keys[0]) == 1


def test_session_cookie_is_httponly_and_samesite_lax(app: Flask):
    client = app.test_client()
    page = client.get("/register").get_data(as_text=True)
    response = client.post(
        "/register",
        data={
            "csrf_token": csrf_token(page),
            "name": "C",
            "email": "c@example.org",
            "password": PASSWORD,
        },
    )
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_session_cookie_is_secure_when_configured(make_app):
    app = make_app(SESSION_COOKIE_SECURE=True)
    client = app.test_client()
    page = client.get("/register").get_data(as_text=True)
    response = client.post(
        "/register",
        data={
            "csrf_token": csrf_token(page),
            "name": "C",
            "email": "c@example.org",
            "password": PASSWORD,
        },
    )
    assert "Secure" in response.headers["Set-Cookie"]


def test_security_headers_on_pages_and_api(client):
    for path in ("/", "/login", "/api/v1/courses", "/no-such-page"):
        headers = client.get(path).headers
        policy = headers["Content-Security-Policy"]
        assert "default-src 'self'" in policy and "frame-ancestors 'self'" in policy
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_signed_in_answers_are_private_and_anonymous_pages_are_not(app: Flask, learner: Api):
    """A page seen through a session or a token is never stored by a shared cache; a page seen
    anonymously may be. The decision reads the session, so the answer varies by cookie."""
    anonymous = app.test_client().get("/")
    assert anonymous.status_code == 200
    assert "private" not in anonymous.headers.get("Cache-Control", "")
    assert "no-store" not in anonymous.headers.get("Cache-Control", "")

    browser = sign_in(app, "ana@example.org")
    for path in ("/", "/my", "/static/style.css", "/no-such-page"):
        response = browser.get(path)
        assert response.headers["Cache-Control"] == "private, no-store", path
    assert "Cookie" in browser.get("/").headers.get("Vary", "")

    by_token = learner.get("/my")  # a bearer token on a page, not only on the API
    assert by_token.status_code == 200
    assert by_token.headers["Cache-Control"] == "private, no-store"
    assert app.test_client().get("/api/v1/courses").headers["Cache-Control"] == "private, no-store"


def test_every_unsafe_route_refuses_a_cookie_session_without_csrf(app: Flask):
    client = app.test_client()
    page = client.get("/register").get_data(as_text=True)
    client.post(
        "/register",
        data={
            "csrf_token": csrf_token(page),
            "name": "C",
            "email": "c@example.org",
            "password": PASSWORD,
        },
    )
    checked = 0
    for rule in app.url_map.iter_rules():
        for method in (rule.methods or set()) & {"POST", "PUT", "PATCH", "DELETE"}:
            path = rule.rule
            for name in rule.arguments:
                path = path.replace(f"<{name}>", "x")
            response = client.open(path, method=method)
            assert response.status_code == 400, (method, rule.rule, response.status_code)
            checked += 1
    assert checked >= 15


HOSTILE_LESSON = """---
title: Hostile
---
<script>alert('x')</script>
<img src="x.png" onerror="alert('x')">
[click](javascript:alert('x'))
<a href="JaVaScRiPt:alert('x')">upper</a>
<iframe src="https://evil.example/"></iframe>
<svg onload="alert('x')"><script>alert('x')</script></svg>
<p style="background:url(javascript:alert('x'))" onclick="alert('x')">text stays</p>
<form action="https://evil.example/"><input name="p"></form>
"""


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path, text in files.items():
            archive.writestr(path, text)
    return buffer.getvalue()


def test_scripts_in_lessons_end_up_inert_in_pages_and_api(app: Flask, author: Api, learner: Api):
    package = _zip(
        {
            "course.yaml": (
                "id: hostile-course\nversion: 1.0.0\ntitle: Hostile\nlanguage: en\nmodules:\n"
                "  - id: m1\n    title: M\n    items:\n      - lesson: lessons/bad.md\n"
            ),
            "lessons/bad.md": HOSTILE_LESSON.replace(
                'src="x.png"', 'src="https://example.org/x.png"'
            ),
        }
    )
    uploaded = author.client.post(
        "/api/v1/courses",
        data={"file": (io.BytesIO(package), "c.zip")},
        headers={"Authorization": f"Bearer {author.token}"},
    )
    assert uploaded.status_code == 201, uploaded.get_json()
    author.post("/api/v1/courses/hostile-course/versions/1.0.0/publish")
    learner.post("/api/v1/courses/hostile-course/enrollment")
    html = learner.get("/api/v1/courses/hostile-course/lessons/bad").get_json()["html"]
    page = learner.client.get("/courses/hostile-course/lessons/bad")  # bearer on pages too
    for text in (html, page.get_data(as_text=True)):
        lowered = text.lower()
        assert "<script" not in lowered
        assert "onerror" not in lowered and "onload" not in lowered and "onclick" not in lowered
        assert not re.search(r"(href|src|action|style)\s*=\s*[\"']?[^>]*javascript:", lowered)
        assert "<iframe" not in lowered and "<form" not in lowered and "<svg" not in lowered
    assert "text stays" in html
