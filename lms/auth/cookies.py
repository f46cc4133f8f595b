"""The session cookie: Flask's signed cookie, with recently verified cookies remembered.

Checking a cookie's signature and decoding its contents is a fixed cost on every signed-in
request, and a learner sends the same cookie until something in the session changes. Each
process keeps the contents of the cookies it has verified (at most 20,000, least recent out),
keyed by the exact Cookie header; a cookie seen for the first time, or one whose contents are
not plain values, is verified and decoded as Flask always does. A remembered cookie still
expires at its signed time plus the session lifetime, as Flask's own check would decide.
"""

from __future__ import annotations

import time
from typing import Any

from flask import Flask, Request, Response
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from itsdangerous import BadSignature

from lms.memo import Lru

_PLAIN = (str, int, float, bool, type(None))


class RememberingSessionInterface(SecureCookieSessionInterface):
    """``SecureCookieSessionInterface`` that remembers what each verified cookie holds."""

    def __init__(self, size: int = 20_000) -> None:
        self._opened: Lru[tuple[dict[str, Any], float]] = Lru(size)

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if not app.secret_key:
            return None  # as Flask does: no key, no session
        header = request.environ.get("HTTP_COOKIE", "")
        if not header:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        # Keyed by the whole Cookie header: the same header holds the same session cookie,
        # and a header seen before needs neither parsing nor checking.
        remembered = self._opened.get(header)
        if remembered is not None:
            data, signed_at = remembered
            if 0 <= time.time() - signed_at <= max_age:
                return self.session_class(data)  # a copy: the request may change it
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        serializer = self.get_signing_serializer(app)  # built only for a cookie not seen yet
        if serializer is None:
            return None
        try:
            data, signed = serializer.loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        if isinstance(data, dict) and all(isinstance(v, _PLAIN) for v in data.values()):
            self._opened.put(header, (dict(data), signed.timestamp()))
        return self.session_class(data)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        """As Flask's, with its common case first: a session not changed by the request,
        whose cookie is not re-issued, only adds ``Vary: Cookie`` when it was read."""
        refresh = session.permanent and app.config["SESSION_REFRESH_EACH_REQUEST"]
        if not session.modified and not refresh:
            if session.accessed:
                response.vary.add("Cookie")
            return
        super().save_session(app, session, response)
