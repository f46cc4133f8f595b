"""Tests for the pure certificate renderer: PDF content, page geometry and safety."""

from __future__ import annotations

import datetime
import logging
import re
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from lms.certificates.render import (
    DEFAULT_TEMPLATE_PATH,
    LABELS,
    CertificateView,
    format_date,
    format_hours,
    make_url_fetcher,
    qr_svg,
    render_certificate_html,
    render_certificate_pdf,
)

PLAIN_NAME = "Amina Okafor"
LONG_NAME = "María Fernanda de los Ángeles Gutiérrez Villanueva"
COURSE = "Counter Trafficking in Persons in Humanitarian Settings"
CODE = "CTIP-2026-7F3K-9QXD-M2LP"
URL = f"https://learn.example.org/verify/{CODE}"

needs_poppler = pytest.mark.skipif(
    shutil.which("pdftotext") is None or shutil.which("pdfinfo") is None,
    reason="poppler-utils not installed",
)


def make_view(name: str = PLAIN_NAME, language: str = "en") -> CertificateView:
    """Build a representative certificate view."""
    return CertificateView(
        holder_name=name,
        course_title=COURSE,
        hours=12.0,
        issued_on=datetime.date(2026, 11, 26),
        expires_on=datetime.date(2029, 11, 26),
        code=CODE,
        verify_url=URL,
        issuer_name="International Training Centre for Humanitarian Protection",
        language=language,
    )


def write_pdf(tmp_path: Path, view: CertificateView) -> Path:
    """Render a view to a PDF file in tmp_path and return its path."""
    path = tmp_path / "certificate.pdf"
    path.write_bytes(render_certificate_pdf(view))
    return path


def pdf_text(path: Path) -> str:
    """Extract the text of a PDF with its layout, whitespace collapsed."""
    out = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout
    return " ".join(out.split())


def pdf_info(path: Path) -> dict[str, str]:
    """Return pdfinfo's key/value output."""
    out = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    info: dict[str, str] = {}
    for line in out.splitlines():
        key, _, value = line.partition(":")
        info[key.strip()] = value.strip()
    return info


@needs_poppler
@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("name", [PLAIN_NAME, LONG_NAME])
def test_pdf_contains_text_on_one_landscape_a4_page(
    tmp_path: Path, name: str, language: str
) -> None:
    """The PDF holds the key text on exactly one landscape A4 page."""
    path = write_pdf(tmp_path, make_view(name, language))
    text = pdf_text(path)
    assert name in text
    assert COURSE in text
    assert CODE in text
    assert URL in text
    assert LABELS[language]["verify_at"] in text

    info = pdf_info(path)
    assert info["Pages"] == "1"
    match = re.match(r"([\d.]+) x ([\d.]+) pts", info["Page size"])
    assert match is not None
    width, height = float(match[1]), float(match[2])
    assert round(width) == 842
    assert round(height) == 595
    assert info["Title"] == f"Certificate — {COURSE}"
    assert info["Author"] == "International Training Centre for Humanitarian Protection"


@needs_poppler
def test_very_long_texts_still_fit_one_page(tmp_path: Path) -> None:
    """Extreme name, title and issuer lengths are shrunk by class and stay on one page."""
    view = replace(
        make_view(),
        holder_name="Wolfeschlegelsteinhausenbergerdorff Hubert Blaine Ignatius Maximilian "
        "Alexander de la Cruz y Montenegro",
        course_title=COURSE + ": Identification, Protection, Referral and Case Management for "
        "Frontline Government Officials and Humanitarian Staff in Complex Emergencies",
        issuer_name="International Organization for Migration — Regional Office for Central "
        "America, North America and the Caribbean, Protection Division",
    )
    path = write_pdf(tmp_path, view)
    assert pdf_info(path)["Pages"] == "1"
    text = pdf_text(path)
    assert CODE in text
    assert URL in text


def test_url_fetcher_refuses_network_and_outside_files(tmp_path: Path) -> None:
    """Only files under the static folder or the asset folder can be fetched."""
    fetcher = make_url_fetcher(tmp_path)
    with pytest.raises(ValueError):
        fetcher.fetch("http://example.com/x.png")
    with pytest.raises(ValueError):
        fetcher.fetch("https://example.com/x.png")
    with pytest.raises(ValueError):
        fetcher.fetch("file:///etc/passwd")
    with pytest.raises(ValueError):
        fetcher.fetch((tmp_path / ".." / "escape.png").as_uri())
    with pytest.raises(ValueError):
        fetcher.fetch("data:text/plain,hello")

    asset = tmp_path / "logo.svg"
    asset.write_text('<svg xmlns="http://www.w3.org/2000/svg"/>', encoding="utf-8")
    response = fetcher.fetch(asset.as_uri())
    try:
        assert response.read().startswith(b"<svg")
        assert response.content_type == "image/svg+xml"
    finally:
        response.close()


def test_hostile_name_is_escaped_in_html() -> None:
    """Template variables are autoescaped."""
    hostile = "<script>alert(1)</script>"
    html = render_certificate_html(
        make_view(hostile), DEFAULT_TEMPLATE_PATH.read_text(encoding="utf-8")
    )
    assert hostile not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_custom_template_is_sandboxed() -> None:
    """Custom templates cannot reach Python internals."""
    from jinja2.exceptions import SecurityError

    with pytest.raises(SecurityError):
        render_certificate_html(make_view(), "{{ labels.__class__.__mro__ }}")


def test_dates_hours_and_language_fallback() -> None:
    """Dates and hours are formatted per language; unknown languages use English."""
    day = datetime.date(2026, 11, 26)
    assert format_date(day, "en") == "26 November 2026"
    assert format_date(day, "es") == "26 de noviembre de 2026"
    assert format_date(day, "es-MX") == "26 de noviembre de 2026"
    assert format_date(day, "xx") == "26 November 2026"
    assert format_hours(12.0, "en") == "12 hours"
    assert format_hours(1.5, "es") == "1,5 horas"
    assert format_hours(1, "en") == "1 hour"
    assert format_hours(None, "en") == ""
    html = render_certificate_html(
        make_view(language="fr"), DEFAULT_TEMPLATE_PATH.read_text(encoding="utf-8")
    )
    assert LABELS["en"]["certificate"] in html


def test_qr_svg_is_inline_markup() -> None:
    """The QR code is inline SVG without an XML declaration."""
    svg = qr_svg(URL)
    assert svg.startswith("<svg")
    assert "<?xml" not in svg
    assert "viewBox" in svg


def test_custom_template_assets_are_local_only(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A custom template may use its own assets; remote and outside URLs are skipped."""
    (tmp_path / "logo.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 10 10">'
        '<rect width="10" height="10" fill="#14264a"/></svg>',
        encoding="utf-8",
    )
    template = (
        "<html><head><style>@page { size: A4 landscape; margin: 0 }"
        " body { background: url(file:///etc/passwd) }</style></head><body>"
        '<img src="logo.svg" style="width: 20mm">'
        '<img src="http://example.com/x.png"><img src="file:///etc/hostname">'
        "<p>{{ holder_name }} — {{ code }}</p></body></html>"
    )
    with caplog.at_level(logging.ERROR, logger="weasyprint"):
        pdf = render_certificate_pdf(make_view(), template, base_dir=tmp_path)
    assert pdf.startswith(b"%PDF")
    refused = caplog.text
    assert "Refusing to fetch non-file URL: http://example.com/x.png" in refused
    assert "file:///etc/hostname" in refused
    assert "logo.svg" not in refused
