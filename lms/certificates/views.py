"""Certificate pages: public verification and the holder's PDF."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request
from flask_login import current_user
from sqlalchemy import select

from lms.certificates import services
from lms.certificates.models import Certificate
from lms.extensions import db

bp = Blueprint("certificates", __name__)


def pdf_response(certificate: Certificate, pdf: bytes) -> Response:
    response = Response(pdf, mimetype="application/pdf")
    safe_code = certificate.code
    response.headers["Content-Disposition"] = f'inline; filename="certificate-{safe_code}.pdf"'
    response.headers["Cache-Control"] = "private, max-age=3600"
    return response


@bp.route("/verify/<code>")
def verify(code: str) -> str:
    certificate = services.find_certificate(code)
    superseding = None
    if certificate.superseded_by:
        superseding = db.session.scalar(
            select(Certificate).where(Certificate.code == certificate.superseded_by)
        )
    return render_template(
        "certificates/verify.html",
        certificate=certificate,
        status=certificate.status_at(),
        superseding=superseding,
    )


@bp.route("/certificates/<code>.pdf")
def download(code: str) -> Response:
    """The PDF for its holder (and the course's authors and admins); 404 for anyone else."""
    user = current_user if current_user.is_authenticated else None
    lang = request.args.get("lang") or None
    certificate, pdf = services.certificate_pdf(user, code, lang)
    return pdf_response(certificate, pdf)
