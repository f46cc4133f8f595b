"""The credential module alone: build, sign, verify, and every way a token can be bad."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms.certificates import credential as vc

ISSUED = datetime(2026, 11, 20, 14, 30, 5)
FACTS = vc.CredentialFacts(
    base_url="https://learn.example.org",
    issuer_name="Learning Platform",
    code="ABCD-EFGH-JK23-4567",
    holder_name="Juana Mamani Quispe",
    course_id="ctip-humanitarian",
    course_title="Counter Trafficking in Persons in Humanitarian Settings",
    hours=6.0,
    issued_at=ISSUED,
    expires_at=ISSUED + timedelta(days=730),
)


@pytest.fixture(scope="module")
def key() -> dict:
    return vc.new_key()


def test_a_signed_credential_verifies_and_says_what_was_issued(key: dict):
    token = vc.sign(vc.build(FACTS), key)
    found = vc.verify(token, [vc.public_jwk(key)], ISSUED + timedelta(days=1))
    assert found["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert found["issuer"]["id"] == "https://learn.example.org/api/v1/issuer"
    assert found["validFrom"] == "2026-11-20T14:30:05Z"
    assert found["iss"] == found["issuer"]["id"] and found["jti"] == found["id"]
    assert vc.summary(found) == {
        "holder": "Juana Mamani Quispe",
        "course": FACTS.course_title,
        "code": FACTS.code,
        "issued": "2026-11-20T14:30:05Z",
        "expires": "2028-11-19T14:30:05Z",
        "issuer": "Learning Platform",
    }
    header = json.loads(base64.urlsafe_b64decode(token.split(".")[0] + "=="))
    assert header == {"alg": "EdDSA", "kid": key["kid"], "typ": "vc+jwt", "cty": "vc"}
    assert vc.sign(vc.build(FACTS), key) == token  # the same facts, the same token


def test_an_altered_credential_is_refused(key: dict):
    token = vc.sign(vc.build(FACTS), key)
    head, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["credentialSubject"]["identifier"][0]["identityHash"] = "Someone Else"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    with pytest.raises(vc.CredentialError, match="altered"):
        vc.verify(f"{head}.{forged}.{signature}", [vc.public_jwk(key)], ISSUED)


def test_a_credential_signed_by_another_key_is_refused(key: dict):
    other = vc.new_key()
    token = vc.sign(vc.build(FACTS), other)
    with pytest.raises(vc.CredentialError, match="No trusted key"):
        vc.verify(token, [vc.public_jwk(key)], ISSUED)
    impostor = {**vc.public_jwk(key), "kid": other["kid"]}  # the right id, the wrong key
    with pytest.raises(vc.CredentialError, match="altered"):
        vc.verify(token, [impostor], ISSUED)


def test_dates_bound_a_credential(key: dict):
    token = vc.sign(vc.build(FACTS), key)
    with pytest.raises(vc.CredentialError, match="not yet in force"):
        vc.verify(token, [vc.public_jwk(key)], ISSUED - timedelta(seconds=1))
    with pytest.raises(vc.CredentialError, match="expired on 2028-11-19"):
        vc.verify(token, [vc.public_jwk(key)], ISSUED + timedelta(days=731))
    lasting = vc.sign(vc.build(FACTS.__class__(**{**FACTS.__dict__, "expires_at": None})), key)
    assert vc.verify(lasting, [vc.public_jwk(key)], ISSUED + timedelta(days=9000))


@pytest.mark.parametrize(
    "token",
    ["", "not a token", "a.b", "a.b.c", "eyJhbGciOiJub25lIn0.eyJ4IjoxfQ."],
)
def test_anything_else_is_a_clear_error(key: dict, token: str):
    with pytest.raises(vc.CredentialError):
        vc.verify(token, [vc.public_jwk(key)], ISSUED)


def test_keys_come_from_a_jwk_a_set_or_an_issuer_profile(key: dict):
    public = vc.public_jwk(key)
    assert vc.keys_from_jwks(public) == [public]
    assert vc.keys_from_jwks({"keys": [public, {"kty": "RSA"}]}) == [public]
    assert vc.keys_from_jwks({"id": "x", "type": ["Profile"], "keys": [public]}) == [public]
    with pytest.raises(vc.CredentialError):
        vc.keys_from_jwks(["nope"])


# Any file at all, PDF-looking or not, ends in a verdict with a reason, never another error.
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(
        st.binary(max_size=400),
        st.binary(max_size=400).map(lambda tail: b"%PDF-1.7\n" + tail),
        st.text(max_size=200).map(str.encode),
    )
)
def test_no_file_makes_the_checker_fail_otherwise(data: bytes):
    from lms.certificates import offline

    trusted = [vc.public_jwk(_FUZZ_KEY)]
    with pytest.raises(vc.CredentialError):
        offline.check(data, trusted, ISSUED)


_FUZZ_KEY = vc.new_key()
