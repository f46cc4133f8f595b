"""Password rules and hashing (argon2id). Pure: no Flask, no database."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


@cache
def common_passwords() -> frozenset[str]:
    """Passwords of ten characters or more from the top of leaked-password lists."""
    lines = (Path(__file__).parent / "common_passwords.txt").read_text("utf-8").splitlines()
    return frozenset(line.strip() for line in lines if line.strip() and not line.startswith("#"))


def password_problem(password: str, email: str = "", name: str = "", min_length: int = 10) -> str:
    """Why a password is refused, or an empty string when it is acceptable."""
    if len(password) < min_length:
        return f"at least {min_length} characters"
    lowered = password.lower()
    if lowered in common_passwords() or len(set(lowered)) <= 2:
        return "common"
    if email and lowered == email.lower():
        return "same_as_email"
    if name and lowered == name.lower():
        return "same_as_name"
    return ""


def hash_password(password: str) -> str:
    """An argon2id hash with a random salt."""
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    """True when the password matches; never raises for a malformed hash."""
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# A hash to verify against when the account does not exist, so both paths take equal time.
DUMMY_HASH = _hasher.hash("not a real password, used for timing only")
