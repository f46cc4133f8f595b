"""Importing a 100-lesson, 10-quiz package with 50 MB of assets: target under 5 s, with memory
that stays flat (well under the package's size). Run: .venv/bin/python -m bench.import_speed

The import runs in a child process on a fresh migrated SQLite database, so the peak resident
memory measured is the import's own. The floor is that process reading every member of the
zip once, which no import can avoid.
"""

from __future__ import annotations

import io
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
import zipfile
from pathlib import Path

from PIL import Image

LESSON = """---
title: Lesson {n}
minutes: 10
---
## Part {n}

{body}

![Figure {n}](../assets/figure-{fig}.png)
"""
QUIZ = """title: Check {n}
questions:
{questions}
"""


def build_package(path: Path) -> int:
    """Write the package zip; return the bytes of assets in it."""
    rng = random.Random(7)
    words = ["migration", "governance", "labour", "market", "safe", "rights", "referral"]
    asset_bytes = 0
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        items = []
        for n in range(100):
            body = " ".join(rng.choice(words) for _ in range(600))
            archive.writestr(f"lessons/l{n:03}.md", LESSON.format(n=n, body=body, fig=n % 10))
            items.append(f"      - lesson: lessons/l{n:03}.md")
            if n % 10 == 9:
                q = "\n".join(
                    f'  - {{id: q{k}, type: true_false, prompt: "Statement {k}?", answer: true}}'
                    for k in range(10)
                )
                archive.writestr(f"quizzes/q{n // 10}.yaml", QUIZ.format(n=n, questions=q))
                items.append(f"      - quiz: quizzes/q{n // 10}.yaml")
        for k in range(10):
            image = io.BytesIO()
            Image.new("RGB", (1600, 1000), (20 * k, 60, 105)).save(image, "PNG")
            archive.writestr(f"assets/figure-{k}.png", image.getvalue())
            asset_bytes += len(image.getvalue())
        for k in range(9):  # video-like files that do not compress
            data = rng.randbytes(5_600_000)
            archive.writestr(f"assets/video-{k}.mp4", data, compress_type=zipfile.ZIP_STORED)
            asset_bytes += len(data)
        course = (
            "id: bench-import\nversion: 1.0.0\ntitle: Import benchmark\nlanguage: en\n"
            "modules:\n  - id: m1\n    title: Everything\n    items:\n" + "\n".join(items) + "\n"
        )
        archive.writestr("course.yaml", course)
    return asset_bytes


def child(package: str, database: str, mode: str) -> None:
    """Runs in the child process: the import (or the floor), then prints its figures."""
    from flask_migrate import upgrade

    from lms import create_app
    from lms.authoring import services
    from lms.extensions import db

    app = create_app({"TESTING": True, "SECRET_KEY": "x", "SQLALCHEMY_DATABASE_URI": database})
    with app.app_context():
        upgrade()
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        tracemalloc.start()
        start = time.perf_counter()
        with open(package, "rb") as handle:
            if mode == "floor":
                with zipfile.ZipFile(handle) as archive:
                    for info in archive.infolist():
                        with archive.open(info) as member:
                            while member.read(1024 * 1024):
                                pass
            else:
                parsed = services.read_package(handle, services.limits_from(app.config))
                services.import_package(parsed, owner=None, publish=True)
                db.session.commit()
        seconds = time.perf_counter() - start
        traced_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(
        json.dumps(
            {"seconds": seconds, "rss_before_kb": before, "rss_peak_kb": peak,
             "python_peak_bytes": traced_peak}
        )
    )  # fmt: skip


def run(mode: str, package: Path, folder: Path) -> dict[str, float]:
    database = f"sqlite:///{folder / (mode + '.sqlite3')}"
    env = {**os.environ, "LMS_INSTANCE_PATH": str(folder)}
    done = subprocess.run(
        [sys.executable, "-m", "bench.import_speed", "--child", str(package), database, mode],
        capture_output=True, text=True, env=env, check=True,
    )  # fmt: skip
    figures: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], sys.argv[4])
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        package = folder / "bench.zip"
        assets = build_package(package)
        floor = run("floor", package, folder)
        result = run("import", package, folder)
    growth_mb = (result["rss_peak_kb"] - result["rss_before_kb"]) / 1024
    print(f"package: 100 lessons, 10 quizzes, {assets / 1e6:.1f} MB of assets, zip {package.name}")
    verdict = "PASS" if result["seconds"] < 5 else "FAIL"
    print(
        f"import: {result['seconds']:.2f} s (floor, reading the zip once: "
        f"{floor['seconds']:.2f} s; ratio {result['seconds'] / max(floor['seconds'], 1e-9):.1f}x); "
        f"target < 5 s: {verdict}"
    )
    python_mb = result["python_peak_bytes"] / 1e6
    flat = "PASS" if python_mb < assets / 1e6 / 2 else "FAIL"
    print(
        f"memory: peak Python allocations {python_mb:.1f} MB during the import of "
        f"{assets / 1e6:.0f} MB of assets (floor {floor['python_peak_bytes'] / 1e6:.1f} MB; "
        f"peak RSS grew {growth_mb:.0f} MB); target: under half the assets' size: {flat}"
    )


if __name__ == "__main__":
    main()
