"""`python -m bench` (or `make bench`): run the steps, print every figure beside its target.

PostgreSQL steps run when LMS_TEST_DATABASE_URL (or BENCH_DATABASE_URL) names a server, as
`make bench` arranges with bench/postgres.sh; otherwise they are skipped and say so.
Exit status: 0 when every target passed, 1 when one failed, 2 when a step crashed.
"""

from __future__ import annotations

import argparse
import logging
import os
import shlex
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from types import FrameType

from bench.context import Context
from bench.fixtures import Databases
from bench.machine import describe
from bench.report import Report

OUT = Path(__file__).resolve().parent / "out"


def _steps() -> dict[str, tuple[str, Callable[[Context], None]]]:
    from bench.steps import crash, mix, scale, submits, throughput, weight

    return {
        "1": ("lesson throughput against the floor", throughput.run),
        "2": ("learner sessions mix", mix.run),
        "3": ("16 concurrent 20-question submits", submits.run),
        "4": ("SIGKILL a worker under submits; double clicks; concurrent completions", crash.run),
        "5": ("page weight", weight.run),
        "6": ("data at scale on PostgreSQL", scale.run),
    }


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--only", default="1,2,3,4,5,6", help="steps to run, e.g. 1,5")
    parser.add_argument("--seconds", type=int, default=10, help="length of each load run")
    parser.add_argument(
        "--scale",
        type=float,
        default=1.0,
        help="fraction of the step-6 data (1.0 = 100,000 learners, 200 courses, 1,000,000 rows)",
    )
    parser.add_argument("--samples", type=int, default=30, help="requests per page in step 6")
    parser.add_argument("--timeout", type=int, default=900, help="stop the whole run after this")
    return parser.parse_args(argv)


def _on_alarm(_signum: int, _frame: FrameType | None) -> None:
    raise TimeoutError("the bench ran past --timeout")


def main(argv: list[str]) -> int:
    args = parse(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    signal.signal(signal.SIGALRM, _on_alarm)
    signal.alarm(args.timeout)
    command = "make bench" + (f" BENCH_ARGS={shlex.quote(' '.join(argv))}" if argv else "")
    report = Report(command)
    machine = describe()
    print("Machine: " + "; ".join(f"{k} {v}" for k, v in machine.items()), flush=True)
    pg_url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("LMS_TEST_DATABASE_URL", "")
    if not pg_url:
        report.note("no PostgreSQL server (LMS_TEST_DATABASE_URL): PostgreSQL runs skipped")
    crashed = False
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="lms-bench-") as tmp, ExitStack() as stack:
        databases = Databases(Path(tmp), pg_url)
        stack.callback(databases.drop_all)
        ctx = Context(report, args, Path(tmp), OUT / "logs", databases, stack)
        steps = _steps()
        for key in [s.strip() for s in args.only.split(",") if s.strip()]:
            title, step = steps[key]
            print(f"\n== step {key}: {title}", flush=True)
            step_started = time.monotonic()
            try:
                step(ctx)
            except Exception as error:
                crashed = True
                traceback.print_exc()
                report.add(f"{key}", f"step {key} crashed", repr(error)[:300], "runs", False)
                if isinstance(error, TimeoutError):
                    break
            print(f"   step {key} took {time.monotonic() - step_started:.0f} s", flush=True)
    signal.alarm(0)
    elapsed = time.monotonic() - started
    report.note(f"whole run: {elapsed:.0f} s")
    report.write(OUT, machine)
    failed = report.failed()
    print(f"\n{report.summary()}\n")
    print(f"{len(report.figures)} figures, {len(failed)} FAIL; results in {OUT}/results.md")
    if crashed:
        return 2
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
