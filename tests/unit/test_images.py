"""Images get web sizes; anything that is not a readable image is left alone."""

from __future__ import annotations

import io

from PIL import Image

from lms.authoring.images import web_variants


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (18, 60, 105)).save(out, "PNG")
    return out.getvalue()


def test_a_wide_image_gets_two_smaller_webp_copies():
    width, variants = web_variants("assets/map.png", _png(1600, 800), "image/png")
    assert width == 1600
    assert [(v.path, v.width) for v in variants] == [
        ("assets/map.png@480w.webp", 480),
        ("assets/map.png@960w.webp", 960),
    ]
    with Image.open(io.BytesIO(variants[0].data)) as small:
        assert small.format == "WEBP" and small.size == (480, 240)


def test_a_small_image_gets_no_copies_and_broken_or_other_files_are_ignored():
    assert web_variants("a.png", _png(300, 200), "image/png") == (300, [])
    assert web_variants("a.png", b"not an image", "image/png") == (None, [])
    assert web_variants("a.svg", b"<svg/>", "image/svg+xml") == (None, [])
