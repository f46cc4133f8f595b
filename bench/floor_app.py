"""The floor: a bare Flask app that renders a Jinja page as big as a lesson page.

No database, no session, no extensions: what Flask, Jinja and gunicorn cost for a page of
that size on this machine. ``BENCH_FLOOR_BYTES`` sets the size; the page is built from
paragraphs (autoescaped, in a loop, as a lesson's outline is) and padded to the exact size.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask, render_template

PARAGRAPH = (
    "Humanitarian staff meet people at risk of trafficking in the first days of a crisis: "
    "at registration points, in shelters and at distributions. Knowing the signs & the "
    "referral pathway <before> the emergency is what makes a safe response possible."
)


def create_app() -> Flask:
    app = Flask(__name__, template_folder=str(Path(__file__).parent / "templates"))
    target = int(os.environ.get("BENCH_FLOOR_BYTES", "20000"))
    outline = [f"Item {n}: a lesson title of ordinary length" for n in range(1, 17)]

    def render(paragraphs: list[str], padding: str) -> str:
        return render_template(
            "floor.html", paragraphs=paragraphs, outline=outline, padding=padding
        )

    with app.test_request_context():
        paragraphs: list[str] = []
        while len(render(paragraphs, "").encode()) < target - len(PARAGRAPH) * 2:
            paragraphs.append(PARAGRAPH)
        missing = target - len(render(paragraphs, "").encode())
        padding = "x" * max(0, missing)

    @app.get("/")
    def page() -> str:
        return render(paragraphs, padding)

    return app
