"""Pure certificate rendering: view model, labels, QR code, HTML and PDF output."""

from __future__ import annotations

import datetime
import mimetypes
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from urllib.request import url2pathname

import segno
from jinja2 import Template
from jinja2.sandbox import SandboxedEnvironment
from markupsafe import Markup
from weasyprint import HTML, Attachment
from weasyprint.urls import URLFetcher, URLFetcherResponse

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_TEMPLATE_PATH = REPO_ROOT / "templates" / "certificates" / "default.html"
STATIC_DIR = REPO_ROOT / "static"

QR_DARK = "#14264a"

LABELS: dict[str, dict[str, str]] = {
    "en": {
        "certificate": "Certificate of Completion",
        "certifies": "This certifies that",
        "completed": "has successfully completed the course",
        "hour": "hour",
        "hours": "hours",
        "duration": "Duration",
        "issued_on": "Issued on",
        "date_of_issue": "Date of issue",
        "valid_until": "Valid until",
        "signature": "Authorised signature",
        "verification_code": "Verification code",
        "verify_at": "Verify at",
    },
    "es": {
        "certificate": "Certificado de finalización",
        "certifies": "Se certifica que",
        "completed": "ha completado satisfactoriamente el curso",
        "hour": "hora",
        "hours": "horas",
        "duration": "Duración",
        "issued_on": "Emitido el",
        "date_of_issue": "Fecha de emisión",
        "valid_until": "Válido hasta",
        "signature": "Firma autorizada",
        "verification_code": "Código de verificación",
        "verify_at": "Verifique en",
    },
}

MONTHS: dict[str, tuple[str, ...]] = {
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
    "es": (
        "enero",
        "febrero",
        "marzo",
        "abril",
        "mayo",
        "junio",
        "julio",
        "agosto",
        "septiembre",
        "octubre",
        "noviembre",
        "diciembre",
    ),
}

# (maximum visual length, CSS class) pairs; the first bound the text fits under wins. The bounds
# are calibrated on DejaVu Serif Bold (about 0.6 em per mixed-case character) and the widths of
# the default template, so that text in each class keeps to the lines it is designed for.
NAME_CLASSES: tuple[tuple[float, str], ...] = (
    (24, "name-xl"),
    (29, "name-l"),
    (38, "name-m"),
    (45, "name-s"),
    (55, "name-xs"),
)
NAME_FALLBACK_CLASS = "name-xxs"
TITLE_CLASSES: tuple[tuple[float, str], ...] = (
    (44, "title-l"),
    (56, "title-m"),
    (110, "title-s"),
    (170, "title-xs"),
)
TITLE_FALLBACK_CLASS = "title-xxs"
ISSUER_CLASSES: tuple[tuple[float, str], ...] = ((60, "issuer-l"), (100, "issuer-m"))
ISSUER_FALLBACK_CLASS = "issuer-s"


@dataclass(frozen=True)
class CertificateView:
    """Everything a certificate shows, as primitives only."""

    holder_name: str
    course_title: str
    hours: float | None
    issued_on: datetime.date
    expires_on: datetime.date | None
    code: str
    verify_url: str
    issuer_name: str
    language: str = "en"


def resolve_language(language: str) -> str:
    """Return a supported language code for a tag such as "es-MX", defaulting to "en"."""
    base = language.strip().lower().replace("_", "-").split("-", 1)[0]
    return base if base in LABELS else "en"


def format_date(value: datetime.date, language: str) -> str:
    """Format a date in long form, e.g. "26 November 2026" or "26 de noviembre de 2026"."""
    lang = resolve_language(language)
    month = MONTHS[lang][value.month - 1]
    if lang == "es":
        return f"{value.day} de {month} de {value.year}"
    return f"{value.day} {month} {value.year}"


def format_hours(hours: float | None, language: str) -> str:
    """Format a duration such as "12 hours" or "1,5 horas"; empty when unknown."""
    if hours is None or hours <= 0:
        return ""
    lang = resolve_language(language)
    number = f"{round(hours, 2):g}"
    if lang == "es":
        number = number.replace(".", ",")
    unit = LABELS[lang]["hour"] if hours == 1 else LABELS[lang]["hours"]
    return f"{number} {unit}"


def _collapse(text: str) -> str:
    """Collapse runs of whitespace to single spaces and strip the ends."""
    return " ".join(text.split())


def document_title(course_title: str) -> str:
    """Return the PDF document title, "Certificate — <course title>"."""
    return f"Certificate — {_collapse(course_title)}"


def visual_length(text: str) -> float:
    """Estimate a text's printed width in average characters; capitals count 1.3."""
    return sum(1.3 if char.isupper() else 1.0 for char in text)


def length_class(text: str, classes: Iterable[tuple[float, str]], fallback: str) -> str:
    """Pick the CSS size class for a text from its visual length."""
    size = visual_length(text)
    for limit, name in classes:
        if size <= limit:
            return name
    return fallback


@lru_cache(maxsize=256)
def qr_svg(url: str) -> str:
    """Return inline SVG markup of a QR code for the URL, sized by its container."""
    qr = segno.make(url, error="m", micro=False)
    svg: str = qr.svg_inline(
        dark=QR_DARK,
        light=None,
        border=2,
        omitsize=True,
        svgclass="qr-code",
        lineclass=None,
    )
    return svg


# Template context (all primitives): lang, labels (dict of fixed wording), holder_name,
# course_title, hours (float or None), hours_text, issued_on, issued_on_iso, expires_on,
# expires_on_iso ("" when none), code, verify_url, issuer_name, qr_svg (safe inline SVG),
# name_class, title_class, issuer_class (size classes chosen by length) and document_title.
def certificate_context(view: CertificateView) -> dict[str, Any]:
    """Build the primitives-only template context for a certificate."""
    lang = resolve_language(view.language)
    labels = dict(LABELS[lang])
    holder_name = _collapse(view.holder_name)
    course_title = _collapse(view.course_title)
    issuer_name = _collapse(view.issuer_name)
    return {
        "lang": lang,
        "labels": labels,
        "holder_name": holder_name,
        "course_title": course_title,
        "hours": view.hours,
        "hours_text": format_hours(view.hours, lang),
        "issued_on": format_date(view.issued_on, lang),
        "issued_on_iso": view.issued_on.isoformat(),
        "expires_on": format_date(view.expires_on, lang) if view.expires_on else "",
        "expires_on_iso": view.expires_on.isoformat() if view.expires_on else "",
        "code": view.code.strip(),
        "verify_url": view.verify_url.strip(),
        "issuer_name": issuer_name,
        "qr_svg": Markup(qr_svg(view.verify_url.strip())),
        "name_class": length_class(holder_name, NAME_CLASSES, NAME_FALLBACK_CLASS),
        "title_class": length_class(course_title, TITLE_CLASSES, TITLE_FALLBACK_CLASS),
        "issuer_class": length_class(issuer_name, ISSUER_CLASSES, ISSUER_FALLBACK_CLASS),
        "document_title": document_title(course_title),
    }


@lru_cache(maxsize=1)
def _environment() -> SandboxedEnvironment:
    """Return the shared sandboxed Jinja environment with autoescaping on."""
    return SandboxedEnvironment(autoescape=True, trim_blocks=True, lstrip_blocks=True)


@lru_cache(maxsize=32)
def _compile(template_source: str) -> Template:
    """Compile a template source once and reuse it."""
    return _environment().from_string(template_source)


def default_template_source() -> str:
    """Return the source of the default certificate template."""
    return DEFAULT_TEMPLATE_PATH.read_text(encoding="utf-8")


def render_certificate_html(view: CertificateView, template_source: str) -> str:
    """Render the certificate template to an HTML string in a sandbox."""
    return _compile(template_source).render(certificate_context(view))


class RestrictedURLFetcher(URLFetcher):
    """WeasyPrint URL fetcher that only serves local files under the allowed folders."""

    def __init__(self, allowed_roots: Iterable[Path]) -> None:
        """Remember the folders files may be read from; nothing else is fetched."""
        super().__init__(allowed_protocols=("file",), allow_redirects=False)
        self.allowed_roots = tuple(Path(root).resolve() for root in allowed_roots)

    def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
        """Serve a file: URL inside an allowed folder, or raise ValueError."""
        parts = urlsplit(url)
        if parts.scheme.lower() != "file":
            raise ValueError(f"Refusing to fetch non-file URL: {url}")
        if parts.netloc not in ("", "localhost"):
            raise ValueError(f"Refusing to fetch remote file URL: {url}")
        path = Path(url2pathname(parts.path)).resolve()
        if not any(path.is_relative_to(root) for root in self.allowed_roots):
            raise ValueError(f"Refusing to fetch file outside the allowed folders: {url}")
        if not path.is_file():
            raise ValueError(f"No such file: {url}")
        mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(
            path.as_uri(), body=path.read_bytes(), headers={"Content-Type": mime_type}
        )


def make_url_fetcher(base_dir: Path | None = None) -> RestrictedURLFetcher:
    """Build the fetcher allowing the repository static folder and an optional asset folder."""
    roots = [STATIC_DIR]
    if base_dir is not None:
        roots.append(base_dir)
    return RestrictedURLFetcher(roots)


CREDENTIAL_FILE = "credential.jwt"  # the name a certificate PDF carries its credential under


def render_certificate_pdf(
    view: CertificateView,
    template_source: str | None = None,
    base_dir: Path | None = None,
    credential: str | None = None,
) -> bytes:
    """Render the certificate to PDF bytes, without any network access. ``credential`` (the
    signed VC-JWT) is embedded as the file ``credential.jwt``, for checking offline."""
    source = default_template_source() if template_source is None else template_source
    html = render_certificate_html(view, source)
    files = {CREDENTIAL_FILE: credential} if credential else {}
    return html_to_pdf(
        html, document_title(view.course_title), _collapse(view.issuer_name), base_dir, files
    )


def html_to_pdf(
    html: str,
    title: str,
    author: str,
    base_dir: Path | None = None,
    files: dict[str, str] | None = None,
) -> bytes:
    """An HTML document as PDF bytes, with its title and author and ``files`` embedded (name:
    text), fetching nothing but files in the static folder (and ``base_dir``): no network."""
    base = (base_dir if base_dir is not None else STATIC_DIR).resolve()
    document = HTML(
        string=html,
        base_url=base.as_uri() + "/",
        url_fetcher=make_url_fetcher(base_dir),
    ).render()
    document.metadata.title = title
    document.metadata.authors = [author]
    attachments = [
        Attachment(string=text, name=name, description=name) for name, text in (files or {}).items()
    ]
    pdf: bytes = document.write_pdf(attachments=attachments)
    return pdf
