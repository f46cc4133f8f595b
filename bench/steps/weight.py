"""Step 5: page weight. Every lesson page of both sample courses, as a signed-in enrolled
learner receives it: its HTML plus every stylesheet it links, and whether any <script> is
on it. Bytes are counted uncompressed (gzip shown for information)."""

from __future__ import annotations

import gzip
import re

from bench.context import Context
from bench.fixtures import create_learners

STEP = "5 page weight"
LIMIT = 30 * 1000  # "30 KB", counted as 30,000 bytes (the stricter reading)
COURSES = ["ctip-humanitarian", "migration-governance"]
STYLESHEET = re.compile(
    r'<link[^>]+rel="stylesheet"[^>]*href="([^"]+)"|<link[^>]+href="([^"]+)"[^>]*rel="stylesheet"'
)
SCRIPT = re.compile(r"<script\b", re.IGNORECASE)
OTHER_PAGES = [
    "/",
    "/my",
    "/login",
    "/register",
    "/courses/ctip-humanitarian",
    "/courses/ctip-humanitarian/quizzes/m1-quiz",
]


def run(ctx: Context) -> None:
    report = ctx.report
    platform = ctx.platform("sqlite")
    learner = create_learners(platform.uri, "weight", 1, COURSES)[0]
    client = platform.client(learner, cookie=True)
    css_cache: dict[str, int] = {}
    pages: list[tuple[str, int, int, int, bool]] = []  # path, html, css, gzip total, script
    for course_id in COURSES:
        for key in platform.lesson_keys(course_id):
            path = f"/courses/{course_id}/lessons/{key}"
            page = client.get(path)
            if page.status != 200:
                raise RuntimeError(f"{path}: {page.status}")
            css_bytes = 0
            css_gzip = 0
            for match in STYLESHEET.finditer(page.text):
                href = match.group(1) or match.group(2)
                if href not in css_cache:
                    sheet = client.get(href)
                    css_cache[href] = len(sheet.body)
                    css_cache[href + "#gzip"] = len(gzip.compress(sheet.body))
                css_bytes += css_cache[href]
                css_gzip += css_cache[href + "#gzip"]
            zipped = len(gzip.compress(page.body)) + css_gzip
            pages.append((path, len(page.body), css_bytes, zipped, bool(SCRIPT.search(page.text))))
    heaviest = max(pages, key=lambda p: p[1] + p[2])
    path, html, css, zipped, _script = heaviest
    report.add(
        STEP,
        f"heaviest of {len(pages)} lesson pages: HTML + CSS",
        f"{html + css:,} bytes ({html:,} HTML + {css:,} CSS; {zipped:,} gzipped) at {path}",
        "< 30,000 bytes",
        html + css < LIMIT,
    )
    report.add(
        STEP,
        "median lesson page: HTML + CSS",
        f"{sorted(p[1] + p[2] for p in pages)[len(pages) // 2]:,} bytes",
    )
    with_script = [p[0] for p in pages if p[4]]
    report.add(
        STEP,
        "lesson pages with a <script>",
        f"{len(with_script)} of {len(pages)}" + (f": {with_script[:3]}" if with_script else ""),
        "0",
        not with_script,
    )
    others = [p for p in OTHER_PAGES if SCRIPT.search(client.get(p).text)]
    report.add(
        STEP,
        f"other pages with a <script> ({', '.join(OTHER_PAGES)})",
        f"{len(others)}" + (f": {others}" if others else ""),
    )
    client.close()
