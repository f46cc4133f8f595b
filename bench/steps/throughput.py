"""Step 1: lesson-page throughput against a floor (bare Flask + Jinja, same page size).

Both run under the same gunicorn command and are loaded by wrk with the same connections and
duration. The lesson page is requested by 16 signed-in, enrolled learners in turn (wrk
rotates their session cookies), so every request is a real lesson view: it records the view
and refreshes the learner's progress.
"""

from __future__ import annotations

import statistics
from functools import partial

from bench import wrk
from bench.client import Client
from bench.context import Context, Platform
from bench.fixtures import SAMPLE_COURSE_ID, create_learners
from bench.probe import Probe
from bench.server import gunicorn

STEP = "1 throughput"
LESSON = "safe-assistance"  # the median-sized lesson of the sample course
LEARNERS = 16
CONNECTIONS = 16
TARGET = 0.5


def _load(ctx: Context, base: str, path: str, cookies: list[str]) -> wrk.LoadResult:
    wrk.run(base, path, cookies, 2, CONNECTIONS, ctx.work)  # warm-up, not counted
    return wrk.run(base, path, cookies, ctx.args.seconds, CONNECTIONS, ctx.work)


def _floor_env(size: int, _base: str) -> dict[str, str]:
    return {"BENCH_FLOOR_BYTES": str(size)}


def _anatomy(ctx: Context, platform: Platform, email: str, path: str) -> None:
    """Where a lesson view's time goes: one request in-process, its SQL statements."""
    probe = Probe(platform.app, email)
    for _ in range(3):
        probe.get(path)
    times = [probe.get(path)[0] for _ in range(30)]
    items = sum(1 for sql in probe.sql if "FROM items" in sql)
    writes = sum(1 for sql in probe.sql if sql.lstrip().upper().startswith(("INSERT", "UPDATE")))
    probe.close()
    ctx.report.add(
        STEP,
        f"one lesson view in-process, no load, {platform.kind}",
        f"median {statistics.median(times) * 1000:.1f} ms; {len(probe.sql)} SQL statements, "
        f"{items} of them on the items table, {writes} writes (a view repeated within the "
        "same second changes nothing: times are stored in whole seconds)",
    )


def run(ctx: Context) -> None:
    report = ctx.report
    if not wrk.available():
        report.skip(STEP, "throughput", "wrk is not installed (apt-get install wrk)")
        return
    path = f"/courses/{SAMPLE_COURSE_ID}/lessons/{LESSON}"
    report.note(
        f"load: wrk, 1 thread, {CONNECTIONS} connections, {ctx.args.seconds} s after a 2 s "
        "warm-up; gunicorn -c gunicorn.conf.py (2 workers x 4 threads, gthread), "
        "max_requests off"
    )
    prepared: list[tuple[Platform, list[str], int, str]] = []
    for kind in ctx.kinds:
        platform = ctx.platform(kind)
        learners = create_learners(platform.uri, f"tp-{kind}", LEARNERS, [SAMPLE_COURSE_ID])
        cookies = []
        size = 0
        for learner in learners:
            client = platform.client(learner, cookie=True)
            page = client.get(path)
            if page.status != 200:
                raise RuntimeError(f"lesson page answered {page.status}")
            size = len(page.body)
            cookies.append(client.cookie_header())
            client.close()
        prepared.append((platform, cookies, size, learners[0].email))
    size = prepared[0][2]
    with gunicorn(
        "bench.floor_app:create_app()", ctx.logs / "floor.log", "/", partial(_floor_env, size)
    ) as server:
        floor_size = len(Client(server.base).get("/").body)
        # the floor is measured before and after the lesson runs: their mean is the floor, so
        # that a change in the machine's load during the step weighs on both sides
        floors = [_load(ctx, server.base, "/", [])]
        lessons = [_load(ctx, p.base, path, cookies) for p, cookies, _size, _email in prepared]
        floors.append(_load(ctx, server.base, "/", []))
    floor_rps = statistics.mean(f.rps for f in floors)
    for n, floor in enumerate(floors):
        report.add(
            STEP,
            f"floor: bare Flask + Jinja page of {floor_size} bytes, run {n + 1} of 2",
            floor.line(),
            "0 errors",
            floor.errors == 0,
        )
    for (platform, _cookies, page_size, email), lesson in zip(prepared, lessons, strict=True):
        kind = platform.kind
        report.add(
            STEP,
            f"lesson page ({page_size} bytes), signed-in enrolled learner, {kind}",
            lesson.line(),
            "0 errors",
            lesson.errors == 0,
        )
        _anatomy(ctx, platform, email, path)
        ratio = lesson.rps / floor_rps if floor_rps else 0.0
        report.add(
            STEP,
            f"lesson/floor throughput ratio, {kind}",
            f"{ratio:.2f} ({lesson.rps:.0f} / {floor_rps:.0f} req/s, the floor's mean)",
            f">= {TARGET}",
            ratio >= TARGET,
        )
