"""Accounts: register, authenticate, tokens. Services take explicit arguments and flush."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import bindparam, func, select
from sqlalchemy.orm.util import identity_key

from lms.auth.models import ROLES, ApiToken, User
from lms.auth.passwords import (
    DUMMY_HASH,
    hash_password,
    password_problem,
    verify_password,
)
from lms.errors import Conflict, InvalidInput
from lms.extensions import db
from lms.timeutil import utcnow

MAX_NAME = 200


def normalize_email(email: str) -> str:
    return email.strip().lower()


# The user behind a session cookie is read on every signed-in request, so its statement is
# built once and its row is read as a plain row, then handed to the session as a loaded User
# (what an ORM query would do, without its per-query machinery: about 60 us a request).
_USER_ATTRS = tuple(User.__mapper__.column_attrs)
_USER_KEYS = tuple(attr.key for attr in _USER_ATTRS)
USER_COLUMNS = tuple(attr.columns[0] for attr in _USER_ATTRS)  # the order user_from_row takes
_USER_ROW = select(*USER_COLUMNS).where(User.id == bindparam("user_id"))
_USER_MANAGER = User._sa_class_manager


def user_from_row(values: Sequence[Any], *, attach: bool = True) -> User:
    """A User from its columns' values (in ``USER_COLUMNS`` order), as loaded from the
    database: no pending change, nothing to insert.

    The instance is built the way the ORM's own loader builds one (its state created and its
    dict filled, no attribute events); going through ``User(...)`` would fire an event per
    column and then have to be told the object is not new. When the request's session
    already holds this user, that instance is the answer. Otherwise the new one is attached
    to the session, or with ``attach=False`` left detached with every column loaded: what a
    page that only shows the account needs, without starting a session for it (assigning it
    to a relationship, or ``db.session.add``, attaches it later if ever needed).
    """
    key = identity_key(User, values[0])
    if attach or db.session.registry.has():
        known = db.session().identity_map.get(key)
        if known is not None:
            return known
    user = User.__new__(User)
    state = _USER_MANAGER._new_state_if_none(user)
    user.__dict__.update(zip(_USER_KEYS, values, strict=True))
    state.key = key
    if attach:
        db.session.add(user)
    return user


def load_user(user_id: str) -> User | None:
    """Flask-Login's loader: the user behind a session cookie, attached to the session."""
    if not user_id.isdigit():
        return None
    session = db.session()
    known = session.identity_map.get(identity_key(User, int(user_id)))
    if known is not None:
        return known
    row = session.connection().execute(_USER_ROW, {"user_id": int(user_id)}).first()
    return None if row is None else user_from_row(row)


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(User.email == normalize_email(email)))


def _password_message(problem: str, min_length: int) -> str:
    if problem == "common":
        return _("This password is too common. Choose a less predictable one.")
    if problem.startswith("at least"):
        return _("Use at least %(n)d characters.", n=min_length)
    return _("The password must not be your email address or your name.")


def check_new_account(
    email: str, password: str, name: str, locale: str | None, languages: list[str], min_len: int
) -> dict[str, str]:
    """Field errors for a registration, as {field: message}; empty when it is acceptable."""
    errors: dict[str, str] = {}
    email = normalize_email(email)
    if not email or "@" not in email or len(email) > 254 or " " in email:
        errors["email"] = _("Enter a valid email address.")
    if not name.strip():
        errors["name"] = _("Enter your name as it should appear on certificates.")
    elif len(name.strip()) > MAX_NAME:
        errors["name"] = _("Use at most %(n)d characters.", n=MAX_NAME)
    problem = password_problem(password, email, name.strip(), min_len)
    if problem:
        errors["password"] = _password_message(problem, min_len)
    if locale is not None and locale not in languages:
        errors["locale"] = _("Choose one of: %(langs)s.", langs=", ".join(languages))
    return errors


def register(
    *,
    email: str,
    password: str,
    name: str,
    locale: str | None,
    languages: list[str],
    min_password_length: int = 10,
    role: str = "learner",
) -> User:
    """Create a learner account; 400 with field errors, 409 email_taken when it exists."""
    errors = check_new_account(email, password, name, locale, languages, min_password_length)
    if errors:
        raise InvalidInput(details=[{"field": k, "message": v} for k, v in errors.items()])
    if find_user_by_email(email) is not None:
        raise Conflict(_("An account with this email already exists."), code="email_taken")
    user = User(
        email=normalize_email(email),
        name=name.strip(),
        password_hash=hash_password(password),
        locale=locale,
        role=role,
    )
    db.session.add(user)
    db.session.flush()
    return user


def authenticate(email: str, password: str) -> User | None:
    """The user for these credentials, or None; equal work whether or not the account exists."""
    user = find_user_by_email(email)
    if user is None:
        verify_password(DUMMY_HASH, password)
        return None
    return user if verify_password(user.password_hash, password) else None


def create_or_update_user(email: str, name: str, role: str, password: str | None) -> User:
    """For the CLI: create the account, or update its name, role (and password when given)."""
    if role not in ROLES:
        raise InvalidInput(_("Unknown role."))
    user = find_user_by_email(email)
    if user is None:
        user = User(email=normalize_email(email), name=name, password_hash="", role=role)
        db.session.add(user)
    user.name = name
    user.role = role
    if password:
        user.password_hash = hash_password(password)
    elif not user.password_hash:
        user.password_hash = hash_password(secrets.token_urlsafe(24))
    db.session.flush()
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def issue_token(user: User, lifetime_days: int) -> tuple[str, datetime]:
    """A new bearer token (shown once; only its hash is stored) and its expiry."""
    token = secrets.token_urlsafe(32)
    expires_at = utcnow() + timedelta(days=lifetime_days)
    db.session.add(ApiToken(user_id=user.id, token_hash=_digest(token), expires_at=expires_at))
    db.session.flush()
    return token, expires_at


def user_for_token(token: str) -> User | None:
    """The user behind a live bearer token, or None when it is unknown, expired or revoked."""
    if not token or len(token) > 200:
        return None
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow():
        return None
    return row.user


def revoke_token(token: str) -> None:
    """Revoke one token; revoking twice is harmless."""
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == _digest(token)))
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()
        db.session.flush()


def update_profile(user: User, name: str | None, locale: str | None, languages: list[str]) -> User:
    """Change a user's name or language."""
    errors: dict[str, str] = {}
    if name is not None:
        if not isinstance(name, str) or not name.strip():
            errors["name"] = _("Enter your name as it should appear on certificates.")
        elif len(name.strip()) > MAX_NAME:
            errors["name"] = _("Use at most %(n)d characters.", n=MAX_NAME)
    if locale is not None and locale not in languages:
        errors["locale"] = _("Choose one of: %(langs)s.", langs=", ".join(languages))
    if errors:
        raise InvalidInput(details=[{"field": k, "message": v} for k, v in errors.items()])
    if name is not None:
        user.name = name.strip()
    if locale is not None:
        user.locale = locale
    db.session.flush()
    return user


def count_users() -> int:
    return int(db.session.scalar(select(func.count(User.id))) or 0)
