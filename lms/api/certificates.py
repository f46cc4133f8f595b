"""API: certificates, public verification, revocation."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.api.common import bp, json_body, login_required_api, paged
from lms.certificates import credential, services
from lms.certificates.models import Certificate
from lms.certificates.views import pdf_response
from lms.errors import Forbidden, InvalidInput
from lms.timeutil import iso


def _base() -> str:
    return services.IssueContext.from_config().base_url


def certificate_json(certificate: Certificate) -> dict[str, Any]:
    return {
        "code": certificate.code,
        "course_id": certificate.course_id,
        "course_title": certificate.course_title,
        "holder_name": certificate.holder_name,
        "issued_at": iso(certificate.issued_at),
        "expires_at": iso(certificate.expires_at),
        "status": certificate.status_at(),
        "pdf_url": _base() + url_for("api.certificate_pdf", code=certificate.code),
        "verify_url": _base() + url_for("certificates.verify", code=certificate.code),
    }


def public_json(certificate: Certificate) -> dict[str, Any]:
    body: dict[str, Any] = {
        "code": certificate.code,
        "status": certificate.status_at(),
        "holder_name": certificate.holder_name,
        "course_title": certificate.course_title,
        "issued_at": iso(certificate.issued_at),
        "expires_at": iso(certificate.expires_at),
    }
    if certificate.revoked_at is not None:
        body["revoked_at"] = iso(certificate.revoked_at)
        body["revoked_reason"] = certificate.revoked_reason
    if certificate.superseded_by:
        body["superseded_by"] = certificate.superseded_by
    return body


@bp.get("/me/certificates")
@login_required_api
def my_certificates() -> Response:
    return jsonify(paged(services.my_certificates(current_user), certificate_json))


@bp.get("/certificates/<code>.pdf")
def certificate_pdf(code: str) -> Response:
    user = current_user if current_user.is_authenticated else None
    certificate, pdf = services.certificate_pdf(user, code, request.args.get("lang") or None)
    return pdf_response(certificate, pdf)


@bp.get("/certificates/<code>")
def certificate(code: str) -> Response:
    return jsonify(public_json(services.find_certificate(code)))


@bp.get("/certificates/<code>/credential")
def certificate_credential(code: str) -> Response:
    """Public: the certificate's signed Open Badges 3.0 credential (a VC-JWT). It states what
    was issued; whether it was revoked since is answered by GET /certificates/{code}."""
    found = services.find_certificate(code)
    token = services.credential_token(found, services.IssueContext.from_config())
    response = Response(token, mimetype=credential.MEDIA_TYPE)
    response.headers["Content-Disposition"] = f'inline; filename="credential-{found.code}.jwt"'
    return response


@bp.get("/issuer")
def issuer() -> Response:
    """Public: the issuer's profile with every public key that signs or signed credentials
    (a JWK set under "keys", which `certificates verify --issuer-key` reads as it is)."""
    context = services.IssueContext.from_config()
    services.signing_key()  # the key that signs is listed before anything is signed with it
    return jsonify(
        {
            "@context": credential.CONTEXTS,
            "id": credential.issuer_id(context.base_url),
            "type": ["Profile"],
            "name": context.issuer_name,
            "url": context.base_url,
            "keys": services.published_keys(),
        }
    )


@bp.post("/certificates/<code>/revoke")
@login_required_api
def revoke(code: str) -> Response:
    if not current_user.is_admin:
        services.find_certificate(code)  # unknown codes are 404 for everyone
        raise Forbidden()
    body = json_body()
    reason = body.get("reason")
    if not isinstance(reason, str):
        raise InvalidInput(details=[{"field": "reason", "message": _("Give a reason.")}])
    revoked = services.revoke(code, reason, actor=current_user, origin=request.remote_addr or "")
    return jsonify(public_json(revoked))
