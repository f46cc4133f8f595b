"""Real gunicorn servers on 127.0.0.1, started with the settings of `make serve`.

The floor app and the platform run with the same command line: `gunicorn -c gunicorn.conf.py`
(2 workers x 4 threads, gthread, access log on), except that worker recycling
(`max_requests`) is turned off so that a restart does not land inside a 10-second run, and
that each worker holds at most its share of the load's connections (WORKER_CONNECTIONS).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from tests.servers import free_port

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
THREADS = int(os.environ.get("BENCH_THREADS", "4"))
# wrk opens its 16 keep-alive connections in one burst, and one worker can accept them all
# while the other sleeps (the run then measures one worker: half the throughput, for the floor
# and the platform alike). Capping each worker at its share plus its threads makes the other
# take the rest, as many short-lived real clients would spread themselves.
LOAD_CONNECTIONS = 16
WORKER_CONNECTIONS = int(
    os.environ.get("BENCH_WORKER_CONNECTIONS", str(-(-LOAD_CONNECTIONS // WORKERS) + THREADS))
)
SECRET_KEY = "bench-secret-key-not-for-production"


@dataclass
class Server:
    """A running gunicorn master: its base URL, its process and its log."""

    base: str
    process: subprocess.Popen[bytes]
    log: Path

    def worker_pids(self) -> list[int]:
        """The master's worker processes (its children), read from /proc."""
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[1]) == self.process.pid and fields[0] != "Z":
                found.append(int(entry.name))
        return sorted(found)

    def kill_one_worker(self) -> int | None:
        """SIGKILL one worker (the master starts a new one); its pid, or None if none ran."""
        pids = self.worker_pids()
        if not pids:
            return None
        os.kill(pids[0], signal.SIGKILL)
        return pids[0]


def lms_env(database_uri: str, instance: Path) -> Callable[[str], dict[str, str]]:
    """The environment of a platform server (rate limits off: the bench logs in many users)."""

    def env(base: str) -> dict[str, str]:
        return {
            "LMS_DATABASE_URL": database_uri,
            "LMS_SECRET_KEY": SECRET_KEY,
            "LMS_INSTANCE_PATH": str(instance),
            "LMS_BASE_URL": base,
            "LMS_RATELIMIT_ENABLED": "False",
        }

    return env


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"server did not start:\n{log.read_text()[-3000:]}")
        time.sleep(0.1)


@contextmanager
def gunicorn(
    app_spec: str,
    log: Path,
    ready_path: str,
    env: Callable[[str], dict[str, str]] | None = None,
) -> Iterator[Server]:
    """Start ``gunicorn -c gunicorn.conf.py APP`` on a free port; yield it; stop it."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log.parent.mkdir(parents=True, exist_ok=True)
    full_env = {
        **os.environ,
        "HOST": "127.0.0.1",
        "PORT": str(port),
        "WEB_CONCURRENCY": str(WORKERS),
        "GUNICORN_THREADS": str(THREADS),
        **(env(base) if env else {}),
    }
    with log.open("w") as out:
        process = subprocess.Popen(
            [
                str(GUNICORN),
                "-c",
                "gunicorn.conf.py",
                "--max-requests",
                "0",
                "--no-control-socket",
                "--worker-connections",
                str(WORKER_CONNECTIONS),
                app_spec,
            ],
            cwd=ROOT,
            env=full_env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_ready(base + ready_path, process, log)
            yield Server(base, process, log)
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
