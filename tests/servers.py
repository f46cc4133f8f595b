"""Real gunicorn servers on 127.0.0.1 for tests that need HTTP between processes."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_server(
    database_uri: str, instance: Path, secret_key: str = "shared-test-secret", workers: int = 2
) -> Iterator[str]:
    """Start `gunicorn lms:create_app()` on a free port; yield its base URL; stop it."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    instance.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "LMS_DATABASE_URL": database_uri,
        "LMS_SECRET_KEY": secret_key,
        "LMS_INSTANCE_PATH": str(instance),
        "LMS_BASE_URL": base,
        "LMS_RATELIMIT_ENABLED": "False",
    }
    log = (instance / "server.log").open("w")
    process = subprocess.Popen(
        [str(GUNICORN), "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
         "--threads", "2", "--worker-class", "gthread", "--no-control-socket",
         "lms:create_app()"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                if requests.get(f"{base}/healthz", timeout=5).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError((instance / "server.log").read_text())
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()
