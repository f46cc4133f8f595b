"""Step 2: realistic learner sessions, mixed: catalog, course page, lessons, dashboard, quiz
attempts started and submitted (20 questions, full marks), certificate PDFs downloaded.

16 virtual learners, each on its own keep-alive connection with a session cookie (pages) and
a bearer token (the quiz API, as the mobile app would), loop without think time for the
run's length; the next action is drawn with fixed weights from a seeded generator.
"""

from __future__ import annotations

import os
import random
import statistics
import threading
import time
from collections.abc import Callable

from bench.client import Client
from bench.context import Context, Platform, start_attempt, submit, view_lesson
from bench.fixtures import BENCH_COURSE_ID, SAMPLE_COURSE_ID, Learner, create_learners
from bench.loadgen import Recorder, run_users, summarize

STEP = "2 sessions mix"
LEARNERS = 16
WEIGHTS = {
    "catalog": 15,
    "course page": 10,
    "lesson page": 40,
    "dashboard": 10,
    "quiz start+submit": 15,
    "certificate pdf": 10,
}
OK = {200, 201}


def _complete_bench_course(platform: Platform, client: Client) -> str:
    """View both lessons and pass the quiz; returns the certificate code issued."""
    view_lesson(client, BENCH_COURSE_ID, "intro")
    attempt = start_attempt(client, BENCH_COURSE_ID, "exam").json()
    submit(client, attempt["attempt_id"], platform.answers(attempt))
    view_lesson(client, BENCH_COURSE_ID, "outro")
    certificates = client.get("/api/v1/me/certificates", bearer=True).json()["items"]
    return str(certificates[0]["code"])


def _user_loop(
    platform: Platform,
    learner: Learner,
    code: str,
    lessons: list[str],
    recorder: Recorder,
    seed: int,
) -> Callable[[threading.Event], None]:
    def loop(stop: threading.Event) -> None:
        client = platform.client(learner, cookie=True)
        rng = random.Random(seed)
        names = list(WEIGHTS)
        weights = list(WEIGHTS.values())
        while not stop.is_set():
            action = rng.choices(names, weights)[0]
            if action == "catalog":
                recorder.call("catalog /", client.get, "/")
            elif action == "course page":
                recorder.call("course page", client.get, f"/courses/{SAMPLE_COURSE_ID}")
            elif action == "lesson page":
                path = f"/courses/{SAMPLE_COURSE_ID}/lessons/{rng.choice(lessons)}"
                recorder.call("lesson page", client.get, path)
            elif action == "dashboard":
                recorder.call("dashboard /my", client.get, "/my")
            elif action == "certificate pdf":
                recorder.call("certificate pdf", client.get, f"/certificates/{code}.pdf")
            else:
                started = recorder.call(
                    "quiz start", start_attempt, client, BENCH_COURSE_ID, "exam"
                )
                if started is None or started.status not in OK:
                    continue
                attempt = started.json()
                answers = platform.answers(attempt)
                recorder.call("quiz submit", submit, client, attempt["attempt_id"], answers)
        client.close()

    return loop


def run(ctx: Context) -> None:
    report = ctx.report
    report.note(
        "mix weights: "
        + ", ".join(f"{k} {v}%" for k, v in WEIGHTS.items())
        + f"; {LEARNERS} learners, no think time, {ctx.args.seconds} s"
    )
    for kind in ctx.kinds:
        platform = ctx.platform(kind)
        learners = create_learners(
            platform.uri, f"mix-{kind}", LEARNERS, [SAMPLE_COURSE_ID, BENCH_COURSE_ID]
        )
        lessons = platform.lesson_keys(SAMPLE_COURSE_ID)
        codes = []
        for learner in learners:
            client = Client(platform.base, token=learner.token)
            codes.append(_complete_bench_course(platform, client))
            client.close()
        recorder = Recorder()
        loops = [
            _user_loop(platform, learner, code, lessons, recorder, seed=n)
            for n, (learner, code) in enumerate(zip(learners, codes, strict=True))
        ]
        load_before = os.getloadavg()[0]
        seconds, crashes = run_users(loops, ctx.args.seconds)
        if crashes:
            raise crashes[0]
        samples = recorder.samples
        total = summarize(samples, seconds, ok=lambda s: s.status in OK, load_before=load_before)
        report.add(STEP, f"whole mix, {kind}", total.line(), "0 errors", total.errors == 0)
        _quiz_anatomy(ctx, platform, learners[0])
        for op in sorted({s.op for s in samples}):
            mine = [s for s in samples if s.op == op]
            part = summarize(mine, seconds, ok=lambda s: s.status in OK)
            report.add(
                STEP,
                f"  {op}, {kind}",
                f"{part.requests} requests, p50 {part.p50 * 1000:.0f} ms, "
                f"p95 {part.p95 * 1000:.0f} ms, p99 {part.p99 * 1000:.0f} ms, "
                f"{part.errors} errors",
            )


def _quiz_anatomy(ctx: Context, platform: Platform, learner: Learner) -> None:
    """Re-opening an open 20-question attempt writes nothing: its time is the rendering of the
    questions (prompts and options through Markdown) on every start, resume and page view."""
    from lms.authoring.markup import render_inline

    client = platform.app.test_client()
    headers = {"Authorization": f"Bearer {learner.token}"}
    url = f"/api/v1/courses/{BENCH_COURSE_ID}/quizzes/exam/attempts"
    first = client.post(url, headers=headers).get_json()
    fragments = sum(
        1 + len(q.get("options") or []) + len(q.get("left") or []) + len(q.get("right") or [])
        for q in first["questions"]
    )
    times = []
    for _ in range(15):
        begun = time.perf_counter()
        client.post(url, headers=headers)
        times.append(time.perf_counter() - begun)
    begun = time.perf_counter()
    for _ in range(200):
        render_inline.__wrapped__("Right option 1")  # rendered afresh, not the kept answer
    per_fragment = (time.perf_counter() - begun) / 200
    ctx.report.add(
        STEP,
        f"re-opening an open 20-question attempt in-process, no load, {platform.kind}",
        f"median {statistics.median(times) * 1000:.1f} ms for {fragments} Markdown fragments "
        f"(prompts, options, each rendered once per process and then kept); rendering a "
        f"14-character option afresh: {per_fragment * 1e6:.0f} us",
    )
