"""Certificates: issued once on completion, stored, served, verified and revoked."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.admin import services as audit
from lms.auth.models import User
from lms.catalog.models import Asset, CourseVersion
from lms.certificates import credential
from lms.certificates.models import Certificate, SigningKey
from lms.certificates.offline import carries_credential
from lms.certificates.render import CertificateView, render_certificate_pdf
from lms.errors import InvalidInput, NotFound
from lms.extensions import db
from lms.timeutil import iso, utcnow

# Crockford's base32: no I, L, O or U, so a code read aloud or typed is not mistaken.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


@dataclass(frozen=True)
class IssueContext:
    """What a certificate needs from the installation: where it is verified, who issues it."""

    base_url: str
    issuer_name: str

    @classmethod
    def from_config(cls) -> IssueContext:
        config = current_app.config
        return cls(str(config["BASE_URL"]), str(config["ISSUER_NAME"]))


def new_code() -> str:
    """An unguessable verification code: 80 random bits as XXXX-XXXX-XXXX-XXXX."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def normalize_code(code: str) -> str:
    """Accept codes typed in lower case, without dashes, or with O for 0 and I/L for 1."""
    cleaned = code.strip().upper().replace("-", "").replace(" ", "")
    cleaned = cleaned.replace("O", "0").replace("I", "1").replace("L", "1")
    if len(cleaned) != 16 or any(ch not in CODE_ALPHABET for ch in cleaned):
        return ""
    return "-".join(cleaned[i : i + 4] for i in range(0, 16, 4))


def verify_url(context: IssueContext, code: str) -> str:
    return f"{context.base_url}/verify/{code}"


def _add_months(moment: datetime, months: int) -> datetime:
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    day = min(moment.day, 28)
    return moment.replace(year=year, month=month, day=day)


def current_certificate(user_id: int, course_id: str) -> Certificate | None:
    return db.session.scalar(
        select(Certificate).where(
            Certificate.user_id == user_id,
            Certificate.course_id == course_id,
            Certificate.superseded_by.is_(None),
        )
    )


def _template_for(version: CourseVersion) -> str | None:
    template = (version.certificate or {}).get("template")
    if not template:
        return None
    asset = db.session.scalar(
        select(Asset).where(Asset.course_version_id == version.id, Asset.path == template)
    )
    return asset.data.decode("utf-8", "replace") if asset is not None else None


def render_pdf(
    certificate: Certificate, context: IssueContext, language: str | None = None
) -> bytes:
    """Render a certificate's PDF from its stored facts, its signed credential embedded."""
    view = CertificateView(
        holder_name=certificate.holder_name,
        course_title=certificate.course_title,
        hours=certificate.hours,
        issued_on=certificate.issued_at.date(),
        expires_on=certificate.expires_at.date() if certificate.expires_at else None,
        code=certificate.code,
        verify_url=verify_url(context, certificate.code),
        issuer_name=context.issuer_name,
        language=language or certificate.language,
    )
    version = db.session.get(CourseVersion, certificate.course_version_id)
    template = _template_for(version) if version is not None else None
    return render_certificate_pdf(view, template, credential=credential_token(certificate, context))


def issue_if_complete(
    user: User, version: CourseVersion, context: IssueContext | None = None
) -> Certificate | None:
    """Issue the certificate for a completed course, exactly once (the database enforces it)."""
    if not (version.certificate or {}).get("enabled", True):
        return None
    existing = current_certificate(user.id, version.course_id)
    if existing is not None:
        return existing
    context = context or IssueContext.from_config()
    now = utcnow()
    months = (version.certificate or {}).get("validity_months")
    certificate = Certificate(
        code=new_code(),
        user_id=user.id,
        course_id=version.course_id,
        course_version_id=version.id,
        holder_name=user.name,
        course_title=version.title,
        hours=version.estimated_hours,
        language=user.locale or version.language,
        issued_at=now,
        expires_at=_add_months(now, int(months)) if months else None,
    )
    certificate.pdf = render_pdf(certificate, context)
    try:
        with db.session.begin_nested():
            db.session.add(certificate)
    except IntegrityError:
        # another request completed the course at the same moment and issued it first
        return current_certificate(user.id, version.course_id)
    return certificate


def find_certificate(code: str) -> Certificate:
    normalized = normalize_code(code)
    certificate = (
        db.session.scalar(select(Certificate).where(Certificate.code == normalized))
        if normalized
        else None
    )
    if certificate is None:
        raise NotFound(_("No certificate has this code."))
    return certificate


def may_download(user: User | None, certificate: Certificate) -> bool:
    """The holder, the course's owner and admins may download; everyone else gets a 404."""
    if user is None or not user.is_authenticated:
        return False
    if user.id == certificate.user_id or user.is_admin:
        return True
    from lms.catalog.models import Course

    course = db.session.get(Course, certificate.course_id)
    return course is not None and course.owner_id == user.id


def certificate_pdf(
    user: User | None, code: str, language: str | None, context: IssueContext | None = None
) -> tuple[Certificate, bytes]:
    """The PDF for someone allowed to have it: stored, or rendered in another language."""
    certificate = find_certificate(code)
    if not may_download(user, certificate):
        raise NotFound(_("No certificate has this code."))
    if language and language != certificate.language:
        return certificate, render_pdf(certificate, context or IssueContext.from_config(), language)
    stored = certificate.pdf
    if stored is None:
        stored = render_pdf(certificate, context or IssueContext.from_config())
        certificate.pdf = stored
    return certificate, stored


def my_certificates(user: User) -> list[Certificate]:
    return list(
        db.session.scalars(
            select(Certificate)
            .where(Certificate.user_id == user.id)
            .order_by(Certificate.issued_at.desc(), Certificate.id.desc())
        )
    )


def revoke(code: str, reason: str, *, actor: User | None = None, origin: str = "") -> Certificate:
    """Revoke a certificate with a reason; the verification page says so from then on."""
    if not isinstance(reason, str) or not reason.strip():
        raise InvalidInput(details=[{"field": "reason", "message": _("Give a reason.")}])
    certificate = find_certificate(code)
    if certificate.revoked_at is None:
        certificate.revoked_at = utcnow()
        certificate.revoked_reason = reason.strip()[:2000]
        db.session.flush()
        audit.record(
            "certificate.revoke",
            actor=actor,
            target=certificate.code,
            origin=origin,
            details={"reason": certificate.revoked_reason, "holder": certificate.holder_name},
        )
    return certificate


# --- the signed Open Badges credential -----------------------------------------------------


def _keys() -> list[SigningKey]:
    return list(db.session.scalars(select(SigningKey).order_by(SigningKey.id)))


def signing_key() -> dict[str, Any]:
    """The private JWK that signs: the oldest key not retired, made on first use. Two
    servers making one at the same moment both publish theirs; the older then signs."""
    active = [k for k in _keys() if k.retired_at is None]
    if not active:
        _add_key()
        active = [k for k in _keys() if k.retired_at is None]
    found: dict[str, Any] = json.loads(active[0].private_jwk)
    return found


def rotate_key() -> str:
    """Retire every signing key and make a new one; the retired stay published, so what they
    signed still verifies. Returns the new key's id."""
    now = utcnow()
    for key in _keys():
        if key.retired_at is None:
            key.retired_at = now
    return _add_key()


def _add_key() -> str:
    jwk = credential.new_key()
    public = credential.public_jwk(jwk)
    db.session.add(
        SigningKey(kid=jwk["kid"], private_jwk=json.dumps(jwk), public_jwk=json.dumps(public))
    )
    db.session.flush()
    return str(jwk["kid"])


def published_keys() -> list[dict[str, Any]]:
    """Every public key, current and retired, each marked with when it was made and retired."""
    keys = []
    for key in _keys():
        public = json.loads(key.public_jwk)
        public["created_at"] = iso(key.created_at)
        if key.retired_at is not None:
            public["retired_at"] = iso(key.retired_at)
        keys.append(public)
    return keys


def embed_missing_credentials(context: IssueContext) -> int:
    """Render again, with its credential embedded, every stored PDF issued before PDFs carried
    one (same facts, same code; only the embedded file is new). Returns how many."""
    redone = 0
    ids = list(db.session.scalars(select(Certificate.id).where(Certificate.pdf.is_not(None))))
    for certificate_id in ids:
        certificate = db.session.get(Certificate, certificate_id)
        if certificate is None or certificate.pdf is None or carries_credential(certificate.pdf):
            continue
        certificate.pdf = render_pdf(certificate, context)
        db.session.flush()
        db.session.expire(certificate, ["pdf"])  # one PDF in memory at a time
        redone += 1
    return redone


def credential_facts(certificate: Certificate, context: IssueContext) -> credential.CredentialFacts:
    return credential.CredentialFacts(
        base_url=context.base_url,
        issuer_name=context.issuer_name,
        code=certificate.code,
        holder_name=certificate.holder_name,
        course_id=certificate.course_id,
        course_title=certificate.course_title,
        hours=certificate.hours,
        issued_at=certificate.issued_at,
        expires_at=certificate.expires_at,
    )


def credential_token(certificate: Certificate, context: IssueContext) -> str:
    """The certificate's Open Badges 3.0 credential as a signed VC-JWT."""
    built = credential.build(credential_facts(certificate, context))
    return credential.sign(built, signing_key())
