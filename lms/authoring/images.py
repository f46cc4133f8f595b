"""Web sizes of an author's images, so a phone on a slow connection downloads a small one.

Pure: bytes in, resized copies out (WebP). The original stays as it was, downloadable.
"""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

WIDTHS = (480, 960)
RESIZABLE = {"image/png", "image/jpeg", "image/webp"}
MAX_PIXELS = 40_000_000  # a bigger image is kept as it is, never decoded


@dataclass(frozen=True)
class Variant:
    path: str
    width: int
    data: bytes
    content_type: str = "image/webp"


def variant_path(path: str, width: int) -> str:
    return f"{path}@{width}w.webp"


def web_variants(path: str, data: bytes, content_type: str) -> tuple[int | None, list[Variant]]:
    """(the original's width, copies at each web width smaller than it); none when unreadable."""
    if content_type not in RESIZABLE:
        return None, []
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width * height > MAX_PIXELS:
                    return width, []
                image.load()
                converted = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):  # fmt: skip
        return None, []
    variants = []
    for target in WIDTHS:
        if target >= width:
            continue
        size = (target, max(1, round(height * target / width)))
        copy = converted.resize(size, Image.Resampling.LANCZOS)
        out = io.BytesIO()
        copy.save(out, "WEBP", quality=78, method=4)
        variants.append(Variant(variant_path(path, target), target, out.getvalue()))
    return width, variants
