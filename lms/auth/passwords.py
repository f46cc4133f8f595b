"""Password rules and hashing (argon2id). Pure: no Flask, no database."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()

# Passwords of ten characters or more that appear at the top of leaked-password lists.
COMMON_PASSWORDS = frozenset(
    """
    1234567890 0123456789 12345678910 123456789a 1234567890a 0987654321 1111111111
    0000000000 1234512345 1122334455 1qaz2wsx3edc 1q2w3e4r5t 1q2w3e4r5t6y qwertyuiop
    qwerty1234 qwerty12345 qwerty123456 asdfghjkl1 asdfghjkl; zxcvbnm123 abcdefghij
    abcd123456 abc1234567 password12 password123 password1234 password12345 passw0rd123
    p@ssw0rd123 p@ssword123 iloveyou12 iloveyou123 welcome123 welcome1234 letmein123
    administrator admin12345 admin123456 superman123 football123 baseball123 princess123
    sunshine123 starwars123 dragon1234 monkey1234 master1234 changeme123 trustno1234
    contraseña contrasena123 contraseña123 bienvenido123 holamundo123 teamo12345
    """.split()
)


def password_problem(password: str, email: str = "", name: str = "", min_length: int = 10) -> str:
    """Why a password is refused, or an empty string when it is acceptable."""
    if len(password) < min_length:
        return f"at least {min_length} characters"
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(lowered)) <= 2:
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
