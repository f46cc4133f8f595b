"""Step 3: 16 learners submit a 20-question attempt at the same moment, on SQLite and on
PostgreSQL; then the database must hold exactly one graded attempt per submit.

Three rounds: each learner starts an attempt (one at a time), right answers are worked out
with the pure grader, then the 16 submits are released together by a barrier.
"""

from __future__ import annotations

import time
from functools import partial
from typing import Any

from bench.client import Client, Response
from bench.context import Context, start_attempt, submit
from bench.fixtures import BENCH_COURSE_ID, create_learners, rows
from bench.loadgen import parallel, percentile

STEP = "3 concurrent submits"
LEARNERS = 16
ROUNDS = 3
QUESTIONS = 20


def _timed(
    latencies: list[float], client: Client, attempt_id: str, answers: dict[str, Any]
) -> Response:
    begun = time.perf_counter()
    response = submit(client, attempt_id, answers)
    latencies.append(time.perf_counter() - begun)
    return response


def run(ctx: Context) -> None:
    report = ctx.report
    for kind in ctx.kinds:
        platform = ctx.platform(kind)
        learners = create_learners(platform.uri, f"c16-{kind}", LEARNERS, [BENCH_COURSE_ID])
        clients = [Client(platform.base, token=learner.token) for learner in learners]
        ok: dict[str, float] = {}  # attempt id -> score the response gave
        statuses: list[int] = []
        latencies: list[float] = []
        walls: list[float] = []
        for _round in range(ROUNDS):
            started = [start_attempt(c, BENCH_COURSE_ID, "exam").json() for c in clients]
            answers = [platform.answers(a) for a in started]

            begun = time.perf_counter()
            results = parallel(
                [
                    partial(_timed, latencies, c, a["attempt_id"], g)
                    for c, a, g in zip(clients, started, answers, strict=True)
                ]
            )
            walls.append(time.perf_counter() - begun)
            for attempt, result in zip(started, results, strict=True):
                statuses.append(result.status if result is not None else 0)
                if result is not None and result.status == 200:
                    ok[attempt["attempt_id"]] = float(result.json()["score_percent"])
        for client in clients:
            client.close()
        submits = LEARNERS * ROUNDS
        errors = sum(1 for s in statuses if s != 200)
        report.add(
            STEP,
            f"errors in {submits} simultaneous submits ({LEARNERS} at a time), {kind}",
            f"{errors} (statuses {sorted(set(statuses))})",
            "0",
            errors == 0,
        )
        report.add(
            STEP,
            f"submit latency with {LEARNERS} at once, {kind}",
            f"p50 {percentile(latencies, 0.5) * 1000:.0f} ms, "
            f"p95 {percentile(latencies, 0.95) * 1000:.0f} ms, "
            f"max {max(latencies) * 1000:.0f} ms; all {LEARNERS} done in "
            f"{max(walls) * 1000:.0f} ms at worst",
        )
        ids = [learner.user_id for learner in learners]
        found = rows(
            platform.uri,
            "SELECT a.public_id, a.user_id, a.submitted_at IS NOT NULL, a.score_percent, "
            "(SELECT count(*) FROM attempt_answers x WHERE x.attempt_id = a.id) "
            f"FROM quiz_attempts a WHERE a.user_id IN ({','.join(map(str, ids))})",
        )
        graded = {r[0]: r for r in found if r[2]}
        per_learner = {i: sum(1 for r in graded.values() if r[1] == i) for i in ids}
        lost = [a for a in ok if a not in graded]
        wrong_score = [a for a, s in ok.items() if a in graded and graded[a][3] != s]
        bad_rows = [r for r in graded.values() if r[4] != QUESTIONS]
        report.add(
            STEP,
            f"graded attempts in the database for {len(ok)} submits answered 200, {kind}",
            f"{len(graded)} graded; {len(lost)} lost; {len(wrong_score)} with another score; "
            f"learners with other than {ROUNDS}: "
            f"{sum(1 for n in per_learner.values() if n != ROUNDS)}",
            f"exactly {submits}, 0 lost",
            len(graded) == submits == len(ok) and not lost and not wrong_score,
        )
        report.add(
            STEP,
            f"graded attempts without exactly {QUESTIONS} answer rows (double or half graded), "
            f"{kind}",
            str(len(bad_rows)),
            "0",
            not bad_rows,
        )
