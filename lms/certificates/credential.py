"""Pure: a certificate as an Open Badges 3.0 credential, signed as a VC-JWT, and checked.

The credential is a W3C Verifiable Credential (data model 2.0) of type OpenBadgeCredential.
It is signed with EdDSA over Ed25519 as a compact JWS whose payload is the credential itself
(`typ: vc+jwt`), with the registered claims a JWT verifier looks for (`iss`, `jti`, `nbf` and
`exp`) beside it. Everything in it comes from the certificate's stored facts, and Ed25519
signatures are deterministic, so the same certificate always gives the same token.

Verifying needs no network: the trusted public keys are handed in (the installation's, or a
JWK set such as GET /api/v1/issuer publishes).
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import OKPKey

MEDIA_TYPE = "application/vc+jwt"
ALGORITHM = "EdDSA"
CONTEXTS = [
    "https://www.w3.org/ns/credentials/v2",
    "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json",
]
CRITERIA = (
    "Completed the course on the issuing platform: every lesson and quiz its completion "
    "rule requires, with each quiz passed at the course's pass mark."
)


class CredentialError(Exception):
    """A credential that does not verify; the message says why, in plain words."""


@dataclass(frozen=True)
class CredentialFacts:
    """What a credential states: the certificate's stored facts and who issues it."""

    base_url: str
    issuer_name: str
    code: str
    holder_name: str
    course_id: str
    course_title: str
    hours: float | None
    issued_at: datetime  # naive UTC, as stored
    expires_at: datetime | None


def issuer_id(base_url: str) -> str:
    return f"{base_url}/api/v1/issuer"


def credential_id(base_url: str, code: str) -> str:
    return f"{base_url}/api/v1/certificates/{code}/credential"


def _iso(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat() + "Z"


def _epoch(moment: datetime) -> int:
    return int(moment.replace(tzinfo=UTC).timestamp())


def build(facts: CredentialFacts) -> dict[str, Any]:
    """The credential as JSON-ready data, JWT claims included."""
    achievement: dict[str, Any] = {
        "id": f"{facts.base_url}/courses/{facts.course_id}",
        "type": ["Achievement"],
        "achievementType": "Certificate",
        "name": facts.course_title,
        "description": f"Completion of the course “{facts.course_title}”.",
        "criteria": {"narrative": CRITERIA},
        "humanCode": facts.course_id,
    }
    if facts.hours:
        achievement["creditsAvailable"] = facts.hours
    credential: dict[str, Any] = {
        "@context": CONTEXTS,
        "id": credential_id(facts.base_url, facts.code),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": facts.course_title,
        "issuer": {
            "id": issuer_id(facts.base_url),
            "type": ["Profile"],
            "name": facts.issuer_name,
            "url": facts.base_url,
        },
        "validFrom": _iso(facts.issued_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": [
                {
                    "type": "IdentityObject",
                    "identityHash": facts.holder_name,
                    "identityType": "name",
                    "hashed": False,
                }
            ],
            "achievement": achievement,
        },
        "evidence": [
            {
                "id": f"{facts.base_url}/verify/{facts.code}",
                "type": ["Evidence"],
                "name": facts.code,
                "description": "The certificate's verification code and page.",
            }
        ],
        "iss": issuer_id(facts.base_url),
        "jti": credential_id(facts.base_url, facts.code),
        "nbf": _epoch(facts.issued_at),
    }
    if facts.expires_at is not None:
        credential["validUntil"] = _iso(facts.expires_at)
        credential["exp"] = _epoch(facts.expires_at)
    return credential


def new_key() -> dict[str, Any]:
    """A fresh Ed25519 private key as a JWK, with its thumbprint as its key id."""
    key = OKPKey.generate_key("Ed25519")
    jwk: dict[str, Any] = dict(key.as_dict(private=True))
    jwk["kid"] = key.thumbprint()
    return jwk


def public_jwk(private: dict[str, Any]) -> dict[str, Any]:
    """The public half of a private JWK, marked for EdDSA signatures."""
    return {
        "kty": private["kty"],
        "crv": private["crv"],
        "x": private["x"],
        "kid": private["kid"],
        "use": "sig",
        "alg": ALGORITHM,
    }


def sign(credential: dict[str, Any], private: dict[str, Any]) -> str:
    """The credential as a compact VC-JWT signed with ``private``."""
    header = {"alg": ALGORITHM, "kid": private["kid"], "typ": "vc+jwt", "cty": "vc"}
    payload = json.dumps(credential, ensure_ascii=False, sort_keys=True).encode()
    key = OKPKey.import_key({k: v for k, v in private.items() if k in ("kty", "crv", "x", "d")})
    with warnings.catch_warnings():  # "EdDSA" is what the contract and verifiers name
        warnings.simplefilter("ignore")
        token: str = jws.serialize_compact(header, payload, key, algorithms=[ALGORITHM])
    return token


def keys_from_jwks(document: Any) -> list[dict[str, Any]]:
    """The public keys in a JWK, a JWK set or an issuer profile (all have ``kty``/``keys``)."""
    if isinstance(document, dict) and isinstance(document.get("keys"), list):
        found = [k for k in document["keys"] if isinstance(k, dict)]
    elif isinstance(document, dict) and "kty" in document:
        found = [document]
    else:
        raise CredentialError("The key file holds neither a JWK nor a JWK set.")
    return [k for k in found if k.get("kty") == "OKP" and k.get("crv") == "Ed25519"]


def verify(token: str, trusted: Iterable[dict[str, Any]], now: datetime) -> dict[str, Any]:
    """The credential inside ``token`` once its signature checks against one of the trusted
    keys and it is in force at ``now`` (naive UTC); CredentialError says why otherwise."""
    token = token.strip()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            header = jws.extract_compact(token.encode()).protected
    except (JoseError, ValueError) as error:
        raise CredentialError("This is not a signed credential (a compact JWS).") from error
    if header.get("alg") != ALGORITHM:
        raise CredentialError(f"Unexpected signature algorithm {header.get('alg')!r}.")
    keys = [k for k in trusted if not header.get("kid") or k.get("kid") == header.get("kid")]
    if not keys:
        raise CredentialError(f"No trusted key has the id {header.get('kid')!r}.")
    for jwk in keys:
        public = OKPKey.import_key({k: jwk[k] for k in ("kty", "crv", "x")})
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                payload = jws.deserialize_compact(token, public, algorithms=[ALGORITHM]).payload
        except JoseError:
            continue
        break
    else:
        raise CredentialError("The signature does not match: the credential was altered.")
    try:
        credential: dict[str, Any] = json.loads(payload)
    except ValueError as error:
        raise CredentialError("The signed content is not a credential.") from error
    stamp = _epoch(now)
    if not isinstance(credential.get("nbf"), int) or credential["nbf"] > stamp:
        raise CredentialError("The credential is not yet in force.")
    if isinstance(credential.get("exp"), int) and credential["exp"] <= stamp:
        raise CredentialError(f"The credential expired on {credential.get('validUntil')}.")
    return credential


def summary(credential: dict[str, Any]) -> dict[str, str]:
    """Holder, course, code and dates, as a person reads them off the credential."""
    subject = credential.get("credentialSubject") or {}
    names = [i.get("identityHash", "") for i in subject.get("identifier") or []]
    evidence = credential.get("evidence") or [{}]
    return {
        "holder": names[0] if names else "",
        "course": str((subject.get("achievement") or {}).get("name", "")),
        "code": str(evidence[0].get("name", "")),
        "issued": str(credential.get("validFrom", "")),
        "expires": str(credential.get("validUntil", "")),
        "issuer": str((credential.get("issuer") or {}).get("name", "")),
    }
