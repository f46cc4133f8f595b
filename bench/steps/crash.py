"""Step 4: SIGKILL gunicorn workers in the middle of a load of submits, with double-clicked
submits and concurrent completions going on; then check the database.

During the run (length --seconds + 2):
- submitters loop: view the first lesson, start an attempt, submit full marks, and now and
  then view the last lesson (which completes the course and issues its certificate);
- double-clickers submit each attempt twice at the same moment on two connections;
- at set moments a "completer" (quiz passed, one lesson left) opens the last lesson three
  times at once, and a "racer" (one lesson left and an open attempt) submits the passing
  attempt and opens the last lesson 0, 4, 8 ... 36 ms later: two different requests that
  together complete the course, so one of them must issue the certificate;
- at 30% and 60% of the run one worker gets SIGKILL (the master starts a new one).

Afterwards: every submit answered 200 is graded in the database with its score and 20 answer
rows; no attempt is graded twice; every lesson view answered 200 is stored; each completer
holds exactly one certificate; every learner's stored progress equals the progress computed
again from the data, and a complete course has its completion date and certificate.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import func, select

from bench.client import Client, Response
from bench.context import Context, Platform, start_attempt, submit, view_lesson
from bench.fixtures import BENCH_COURSE_ID, Learner, create_learners
from bench.loadgen import Recorder, parallel, run_users
from lms.auth.models import User
from lms.certificates.models import Certificate
from lms.extensions import db
from lms.learn.models import LessonView
from lms.learn.services import TOUCH_AFTER, find_enrollment, progress_for
from lms.quiz.models import AttemptAnswer, QuizAttempt
from lms.timeutil import utcnow

STEP = "4 crash"
SUBMITTERS = 10
DOUBLE_CLICKERS = 3
COMPLETERS = 6
RACERS = 10
RACE_STEP = 0.004  # the n-th racer's lesson view leaves n x 4 ms after its submit
KILL_AT = (0.3, 0.6)
QUESTIONS = 20
OK = {200, 201}


@dataclass
class Outcome:
    """What the clients were told, to hold the database to afterwards."""

    submits: dict[str, float] = field(default_factory=dict)  # attempt id -> score (200)
    # (user id, lesson) -> when the last view answered 200 was sent (naive UTC, as stored)
    views: dict[tuple[int, str], datetime] = field(default_factory=dict)
    pairs: list[tuple[str, int, int]] = field(default_factory=list)  # double-click statuses
    completions: list[tuple[int, list[int]]] = field(default_factory=list)
    races: list[tuple[int, int, int]] = field(default_factory=list)
    kills: list[int] = field(default_factory=list)


def _status(response: Response | None) -> int:
    return response.status if response is not None else 0


def _submitter(
    platform: Platform, learner: Learner, recorder: Recorder, out: Outcome, seed: int
) -> Callable[[threading.Event], None]:
    def loop(stop: threading.Event) -> None:
        client = Client(platform.base, token=learner.token)
        rng = random.Random(seed)
        while not stop.is_set():
            sent = utcnow()
            seen = recorder.call("lesson view", view_lesson, client, BENCH_COURSE_ID, "intro")
            if _status(seen) == 200:
                out.views[(learner.user_id, "intro")] = sent
            started = recorder.call("quiz start", start_attempt, client, BENCH_COURSE_ID, "exam")
            if _status(started) not in OK or started is None:
                continue
            attempt = started.json()
            answers = platform.answers(attempt)
            done = recorder.call("quiz submit", submit, client, attempt["attempt_id"], answers)
            if done is not None and done.status == 200:
                out.submits[attempt["attempt_id"]] = float(done.json()["score_percent"])
            if rng.random() < 0.3:
                sent = utcnow()
                last = recorder.call("lesson view", view_lesson, client, BENCH_COURSE_ID, "outro")
                if _status(last) == 200:
                    out.views[(learner.user_id, "outro")] = sent
        client.close()

    return loop  # fmt: skip


def _double_clicker(
    platform: Platform, learner: Learner, recorder: Recorder, out: Outcome
) -> Callable[[threading.Event], None]:
    def loop(stop: threading.Event) -> None:
        first = Client(platform.base, token=learner.token)
        second = Client(platform.base, token=learner.token)
        while not stop.is_set():
            started = recorder.call("quiz start", start_attempt, first, BENCH_COURSE_ID, "exam")
            if started is None or started.status not in OK:
                continue
            attempt = started.json()
            answers = platform.answers(attempt)
            attempt_id = attempt["attempt_id"]
            a, b = parallel(
                [
                    partial(submit, first, attempt_id, answers),
                    partial(submit, second, attempt_id, answers),
                ]
            )
            out.pairs.append((attempt_id, _status(a), _status(b)))
            for response in (a, b):
                if response is not None and response.status == 200:
                    out.submits[attempt_id] = float(response.json()["score_percent"])
        first.close()
        second.close()

    return loop  # fmt: skip


def _prepare_completer(platform: Platform, learner: Learner) -> None:
    client = Client(platform.base, token=learner.token)
    view_lesson(client, BENCH_COURSE_ID, "intro")
    attempt = start_attempt(client, BENCH_COURSE_ID, "exam").json()
    submit(client, attempt["attempt_id"], platform.answers(attempt))
    client.close()


def _prepare_racer(platform: Platform, learner: Learner) -> tuple[str, dict[str, Any]]:
    client = Client(platform.base, token=learner.token)
    view_lesson(client, BENCH_COURSE_ID, "intro")
    attempt = start_attempt(client, BENCH_COURSE_ID, "exam").json()
    client.close()
    return attempt["attempt_id"], platform.answers(attempt)


def _later(delay: float, send: Callable[..., Response], *args: Any) -> Response:
    time.sleep(delay)
    return send(*args)


def _conductor(
    platform: Platform,
    seconds: float,
    completers: list[Learner],
    racers: list[tuple[Learner, str, dict[str, Any]]],
    out: Outcome,
) -> Callable[[threading.Event], None]:
    """Fires the completions and races at set moments of the run (kills: ``_killer``)."""
    events: list[tuple[float, str, int]] = []
    for n in range(len(completers)):
        events.append(((0.15 + 0.7 * n / len(completers)) * seconds, "complete", n))
    for n in range(len(racers)):
        events.append(((0.2 + 0.7 * n / len(racers)) * seconds, "race", n))
    events.sort()

    def loop(stop: threading.Event) -> None:
        begun = time.monotonic()
        for at, what, n in events:
            # every completion and race happens, even if the run ends first
            stop.wait(max(0.0, at - (time.monotonic() - begun)))
            if what == "complete":
                learner = completers[n]
                clients = [Client(platform.base, token=learner.token) for _ in range(3)]
                results = parallel(
                    [partial(view_lesson, c, BENCH_COURSE_ID, "outro") for c in clients]
                )
                out.completions.append((learner.user_id, [_status(r) for r in results]))
            else:
                learner, attempt_id, answers = racers[n]
                one = Client(platform.base, token=learner.token)
                two = Client(platform.base, token=learner.token)
                viewed, submitted = parallel(
                    [
                        partial(_later, n * RACE_STEP, view_lesson, one, BENCH_COURSE_ID, "outro"),
                        partial(submit, two, attempt_id, answers),
                    ]
                )
                out.races.append((learner.user_id, _status(viewed), _status(submitted)))
                if submitted is not None and submitted.status == 200:
                    out.submits[attempt_id] = float(submitted.json()["score_percent"])

    return loop


def _killer(platform: Platform, seconds: float, out: Outcome) -> Callable[[threading.Event], None]:
    """SIGKILLs one worker at each moment of KILL_AT, on a thread of its own so that slow
    completions cannot delay it past the end of the load."""

    def loop(stop: threading.Event) -> None:
        begun = time.monotonic()
        for fraction in KILL_AT:
            if stop.wait(max(0.0, fraction * seconds - (time.monotonic() - begun))):
                return
            pid = platform.server.kill_one_worker()
            if pid is not None:
                out.kills.append(pid)

    return loop


def _check(ctx: Context, platform: Platform, learners: list[Learner], out: Outcome) -> None:
    report, kind = ctx.report, platform.kind
    ids = [learner.user_id for learner in learners]
    with platform.app.app_context():
        answer_rows = (
            select(func.count(AttemptAnswer.id))
            .where(AttemptAnswer.attempt_id == QuizAttempt.id)
            .scalar_subquery()
        )
        attempts = {
            public_id: (submitted, score, count)
            for public_id, submitted, score, count in db.session.execute(
                select(
                    QuizAttempt.public_id,
                    QuizAttempt.submitted_at.is_not(None),
                    QuizAttempt.score_percent,
                    answer_rows,
                ).where(QuizAttempt.user_id.in_(ids))
            )
        }
        lost = [
            a
            for a, score in out.submits.items()
            if a not in attempts or not attempts[a][0] or attempts[a][1] != score
        ]
        report.add(
            STEP,
            f"submits answered 200 whose graded attempt is missing or differs, {kind}",
            f"{len(lost)} of {len(out.submits)}",
            "0",
            not lost,
        )
        half = [
            a for a, (submitted, _s, count) in attempts.items() if submitted and count != QUESTIONS
        ]
        stray = [a for a, (submitted, _s, count) in attempts.items() if not submitted and count]
        report.add(
            STEP,
            f"graded attempts without exactly {QUESTIONS} answer rows, or open ones with "
            f"answer rows, {kind}",
            f"{len(half)} + {len(stray)} of {sum(1 for v in attempts.values() if v[0])}",
            "0",
            not half and not stray,
        )  # fmt: skip
        twice = [p for p in out.pairs if p[1] == 200 and p[2] == 200]
        clean = [p for p in out.pairs if sorted(p[1:]) == [200, 409]]
        report.add(
            STEP,
            f"double-clicked submits graded twice, {kind}",
            f"{len(twice)} of {len(out.pairs)} pairs ({len(clean)} answered 200 + 409, "
            f"{len(out.pairs) - len(clean) - len(twice)} cut by a kill)",
            "0",
            not twice and bool(out.pairs),
        )
        stored_views = {
            (uid, key): last
            for uid, key, last in db.session.execute(
                select(LessonView.user_id, LessonView.item_key, LessonView.last_viewed_at).where(
                    LessonView.user_id.in_(ids)
                )
            )
        }
        # a re-read refreshes the stored time only once it is TOUCH_AFTER old (by design: a
        # re-read is not a new fact), so a stored time may trail the last view by that much
        missing_views = [
            pair
            for pair, sent in out.views.items()
            if not stored_views.get(pair) or stored_views[pair] < sent - TOUCH_AFTER
        ]
        report.add(
            STEP,
            f"lessons whose view answered 200 is not stored (row missing, or its time older "
            f"than the view by more than {TOUCH_AFTER}), {kind}",
            f"{len(missing_views)} of {len(out.views)}",
            "0",
            not missing_views,
        )  # fmt: skip
        certificates: dict[int, int] = {
            uid: count
            for uid, count in db.session.execute(
                select(Certificate.user_id, func.count(Certificate.id))
                .where(Certificate.user_id.in_(ids), Certificate.course_id == BENCH_COURSE_ID)
                .group_by(Certificate.user_id)
            )
        }
        # a learner must hold exactly one certificate once a completing request answered 200;
        # when a kill cut every one of them, none or one (never two)
        completer_counts = [
            (certificates.get(uid, 0), 200 in statuses) for uid, statuses in out.completions
        ]
        report.add(
            STEP,
            f"certificates per learner after 3 simultaneous completing requests, {kind}",
            f"{[n for n, _ok in completer_counts]} (statuses {[s for _u, s in out.completions]})",
            "1 each (0 or 1 if a kill cut all 3)",
            bool(completer_counts)
            and all(n == 1 or (n == 0 and not ok) for n, ok in completer_counts),
        )
        race_counts = [(certificates.get(uid, 0), v == s == 200) for uid, v, s in out.races]
        report.add(
            STEP,
            f"certificates after the last lesson view and the passing submit race, {kind}",
            f"{[n for n, _ok in race_counts]} "
            f"(statuses view/submit {[(v, s) for _u, v, s in out.races]})",
            "1 each (0 or 1 if a kill cut one)",
            bool(race_counts) and all(n == 1 or (n == 0 and not ok) for n, ok in race_counts),
        )  # fmt: skip
        stale = []
        for uid in ids:
            user = db.session.get(User, uid)
            assert user is not None
            enrollment = find_enrollment(user, BENCH_COURSE_ID)
            assert enrollment is not None
            progress = progress_for(enrollment)
            complete_ok = not progress.completed or (
                enrollment.completed_at is not None and certificates.get(uid, 0) == 1
            )
            if abs(progress.percent - enrollment.progress_percent) > 1e-6 or not complete_ok:
                stale.append((uid, enrollment.progress_percent, progress.percent))
        db.session.rollback()
        report.add(
            STEP,
            f"learners whose stored progress, completion or certificate disagrees with "
            f"their data, {kind}",
            f"{len(stale)} of {len(ids)}"
            + (f": (user, stored %, actual %) {stale}" if stale else ""),
            "0",
            not stale,
        )  # fmt: skip


def run(ctx: Context) -> None:
    report = ctx.report
    seconds = ctx.args.seconds + 2
    for kind in ctx.kinds:
        platform = ctx.platform(kind)

        def group(
            name: str, count: int, kind: str = kind, platform: Platform = platform
        ) -> list[Learner]:
            return create_learners(platform.uri, f"k{name}-{kind}", count, [BENCH_COURSE_ID])

        submitters, clickers = group("s", SUBMITTERS), group("d", DOUBLE_CLICKERS)
        completers, racers = group("c", COMPLETERS), group("r", RACERS)
        for learner in completers:
            _prepare_completer(platform, learner)
        raced = [(learner, *_prepare_racer(platform, learner)) for learner in racers]
        out = Outcome()
        recorder = Recorder()
        loops = [_submitter(platform, s, recorder, out, n) for n, s in enumerate(submitters)]
        loops += [_double_clicker(platform, d, recorder, out) for d in clickers]
        loops.append(_conductor(platform, seconds, completers, raced, out))
        loops.append(_killer(platform, seconds, out))
        wall, crashes = run_users(loops, seconds)
        if crashes:
            raise crashes[0]
        cut = sum(1 for s in recorder.samples if s.status == 0 or s.status >= 500)
        report.add(
            STEP,
            f"workers killed with SIGKILL during {wall:.0f} s of load, {kind}",
            f"{len(out.kills)} (pids {out.kills}); {len(recorder.samples)} requests, {cut} cut "
            "(connection reset or 5xx)",
            f"{len(KILL_AT)} kills",
            len(out.kills) == len(KILL_AT),
        )
        _check(ctx, platform, submitters + clickers + completers + racers, out)
