"""Step 1: lesson-page throughput against a floor (bare Flask + Jinja, same page size).

Both run under the same gunicorn command and are loaded by wrk with the same connections and
duration. The lesson page is requested by 16 signed-in, enrolled learners in turn (wrk
rotates their session cookies), so every request is a real lesson view: it records the view
and refreshes the learner's progress.
"""

from __future__ import annotations

from bench import wrk
from bench.client import Client
from bench.context import Context
from bench.fixtures import SAMPLE_COURSE_ID, create_learners
from bench.server import gunicorn

STEP = "1 throughput"
LESSON = "safe-assistance"  # the median-sized lesson of the sample course
LEARNERS = 16
CONNECTIONS = 16
TARGET = 0.5


def _load(ctx: Context, base: str, path: str, cookies: list[str]) -> wrk.LoadResult:
    wrk.run(base, path, cookies, 2, CONNECTIONS, ctx.work)  # warm-up, not counted
    return wrk.run(base, path, cookies, ctx.args.seconds, CONNECTIONS, ctx.work)


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
    floor = None
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
        if floor is None:
            floor_env = {"BENCH_FLOOR_BYTES": str(size)}
            with gunicorn(
                "bench.floor_app:create_app()",
                ctx.logs / "floor.log",
                "/",
                lambda _base: floor_env,
            ) as server:
                probe = Client(server.base).get("/")
                floor = _load(ctx, server.base, "/", [])
            report.add(
                STEP,
                f"floor: bare Flask + Jinja page of {len(probe.body)} bytes",
                floor.line(),
                "0 errors",
                floor.errors == 0,
            )
        lesson = _load(ctx, platform.base, path, cookies)
        report.add(
            STEP,
            f"lesson page ({size} bytes), signed-in learner, {kind}",
            lesson.line(),
            "0 errors",
            lesson.errors == 0,
        )
        ratio = lesson.rps / floor.rps if floor.rps else 0.0
        report.add(
            STEP,
            f"lesson/floor throughput ratio, {kind}",
            f"{ratio:.2f} ({lesson.rps:.0f} / {floor.rps:.0f} req/s)",
            f">= {TARGET}",
            ratio >= TARGET,
        )
