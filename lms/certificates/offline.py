"""Pure: check a certificate file with no network, as `flask --app lms certificates verify` does.

The file is either a credential (the VC-JWT that GET /certificates/{code}/credential serves)
or a certificate PDF, which carries that credential as the embedded file ``credential.jwt``.
For a PDF the credential must verify *and* the facts printed on the page must be the ones it
signs: the holder's name, the course's title and the verification code. A PDF whose visible
text was edited, or a credential moved into another PDF, fails.
"""

from __future__ import annotations

import io
import logging
from datetime import datetime
from typing import Any

from pypdf import PdfReader

from lms.certificates.credential import CredentialError, summary, verify
from lms.certificates.render import CREDENTIAL_FILE


def _words(text: str) -> str:
    return " ".join(text.split()).casefold()


def read_pdf(data: bytes) -> tuple[str, str]:
    """The embedded credential and the visible text of a certificate PDF."""
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # a damaged file is reported once, below
    try:
        reader = PdfReader(io.BytesIO(data))
        embedded = reader.attachments.get(CREDENTIAL_FILE)
        text = " ".join(page.extract_text() or "" for page in reader.pages)
    except Exception as error:  # a damaged or hostile file may fail anywhere inside pypdf
        raise CredentialError("The PDF cannot be read.") from error
    if not embedded:
        raise CredentialError(
            "The PDF carries no credential: it was not issued by this platform, or was "
            "issued before certificates carried one (check it online at its /verify page)."
        )
    return embedded[0].decode("ascii", "replace"), text


def carries_credential(data: bytes) -> bool:
    """Whether a PDF carries a credential (certificates issued before credentials do not)."""
    try:
        read_pdf(data)
    except CredentialError:
        return False
    return True


def check(data: bytes, trusted: list[dict[str, Any]], now: datetime) -> dict[str, str]:
    """What the file certifies (holder, course, code, dates, issuer) once it checks out;
    CredentialError says why it does not."""
    if data.lstrip()[:5] == b"%PDF-":
        token, text = read_pdf(data)
    else:
        token, text = data.decode("ascii", "replace"), None
    facts = summary(verify(token, trusted, now))
    if text is not None:
        shown = _words(text)
        for label, value in (("holder", "holder"), ("course", "course"), ("code", "code")):
            if not facts[value] or _words(facts[value]) not in shown:
                raise CredentialError(
                    f"The PDF does not show the signed {label} ({facts[value]!r}): "
                    "its visible text is not what was issued."
                )
    return facts
