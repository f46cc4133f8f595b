"""The request's signed-in user, for a page that reads the account in its own statement.

Flask-Login reads the account behind a session cookie on first use of ``current_user``: a
statement of its own. A page that reads other facts about the person anyway (a lesson:
the enrolment, the lesson views and the quiz attempts) reads the account in that same
statement instead. It asks ``claimed_user_id`` who the request says is signed in (no query),
reads, and hands what it read to ``admit``; from then on ``current_user`` is that user.
"""

from __future__ import annotations

from flask import current_app, g, session
from flask_login import current_user

from lms.auth.models import User


def claimed_user_id() -> int | None:
    """Whom the request says is signed in, without reading the account; None: nobody.

    A bearer token's user has been read already by the token check. A session names its
    user by id, after Flask-Login's session protection has had its say. Anything else (a
    remember-me cookie) is left to Flask-Login, which reads the account.
    """
    if "_login_user" in g:
        user = g._login_user
        return int(user.id) if user.is_authenticated else None
    manager = current_app.login_manager  # type: ignore[attr-defined]
    if manager._session_protection_failed():
        admit(None)
        return None
    claimed = session.get("_user_id")
    if isinstance(claimed, str) and claimed.isdigit():
        return int(claimed)
    user = current_user._get_current_object()
    return int(user.id) if user.is_authenticated else None


def admit(user: User | None) -> None:
    """Make ``user``, read by the page, the request's ``current_user`` (None: anonymous)."""
    g._login_user = user if user is not None else current_app.login_manager.anonymous_user()  # type: ignore[attr-defined]
