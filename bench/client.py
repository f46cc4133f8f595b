"""A small keep-alive HTTP client (http.client), lighter than requests on a 2-core machine.

One Client is one user's connection: it keeps cookies (the session) and a bearer token.
Network errors are raised as they come, so a load run can count them.
"""

from __future__ import annotations

import http.client
import json
import re
import time
from dataclasses import dataclass
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import urlencode, urlsplit

NETWORK_ERRORS = (OSError, http.client.HTTPException)
# gunicorn closes a keep-alive connection idle for 2 s (its `keepalive`); reconnect before that
IDLE_REUSE = 1.0
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


@dataclass(frozen=True)
class Response:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


class Client:
    """One user's keep-alive connection to 127.0.0.1, with cookies and an optional token."""

    def __init__(self, base: str, token: str | None = None, timeout: float = 60.0) -> None:
        parts = urlsplit(base)
        if parts.hostname not in ("127.0.0.1", "localhost"):
            raise ValueError("the bench only talks to 127.0.0.1")
        self.host = parts.hostname
        self.port = parts.port or 80
        self.timeout = timeout
        self.token = token
        self.cookies: dict[str, str] = {}
        self._connection: http.client.HTTPConnection | None = None
        self._last_used = 0.0

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def cookie_header(self) -> str:
        return "; ".join(f"{k}={v}" for k, v in self.cookies.items())

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
        bearer: bool = False,
    ) -> Response:
        """Send one request; raises on network errors after dropping the connection."""
        sent = dict(headers or {})
        if self.cookies and not bearer:
            sent["Cookie"] = self.cookie_header()
        if bearer and self.token:
            sent["Authorization"] = f"Bearer {self.token}"
        if self._connection is None:
            self._connection = http.client.HTTPConnection(
                self.host, self.port, timeout=self.timeout
            )
        try:
            self._connection.request(method, path, body=body, headers=sent)
            raw = self._connection.getresponse()
            data = raw.read()
        except NETWORK_ERRORS:
            self.close()
            raise
        self._last_used = time.monotonic()
        for header in raw.headers.get_all("Set-Cookie") or []:
            parsed: SimpleCookie = SimpleCookie()
            parsed.load(header)
            for name, morsel in parsed.items():
                self.cookies[name] = morsel.value
        if raw.headers.get("Connection", "").lower() == "close":
            self.close()
        return Response(raw.status, dict(raw.headers.items()), data)

    def get(self, path: str, bearer: bool = False) -> Response:
        return self.request("GET", path, bearer=bearer)

    def post_json(self, path: str, payload: Any = None) -> Response:
        """An API call with the bearer token (no CSRF needed)."""
        body = json.dumps(payload if payload is not None else {}).encode()
        return self.request("POST", path, body, {"Content-Type": "application/json"}, bearer=True)

    def login(self, email: str, password: str) -> None:
        """Sign in through the real login form (CSRF token included); keeps the session."""
        page = self.get("/login")
        match = CSRF.search(page.text)
        if page.status != 200 or match is None:
            raise RuntimeError(f"login page: {page.status}")
        form = urlencode({"csrf_token": match.group(1), "email": email, "password": password})
        done = self.request(
            "POST", "/login", form.encode(), {"Content-Type": "application/x-www-form-urlencoded"}
        )
        if done.status != 302 or "session" not in self.cookies:
            raise RuntimeError(f"login failed: {done.status}")

    def fetch_token(self, email: str, password: str) -> str:
        done = self.post_json("/api/v1/auth/token", {"email": email, "password": password})
        if done.status != 200:
            raise RuntimeError(f"token: {done.status} {done.text[:200]}")
        self.token = str(done.json()["token"])
        return self.token
