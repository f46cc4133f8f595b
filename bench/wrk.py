"""Closed-loop HTTP load with wrk (Debian's package), rotating session cookies per request.

The Lua script counts every answer that is not a 200 as an error (a redirect to the login
page would otherwise pass for a fast page) and prints p50/p95/p99 from wrk's histogram.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

SCRIPT = r"""
local cookies = {COOKIES}
local path = "{PATH}"
local threads = {}
local counter = 0
local non200 = 0

function setup(thread)
  thread:set("offset", #threads * 7)
  table.insert(threads, thread)
end

function init(args)
  counter = offset or 0
end

function request()
  counter = counter + 1
  local headers = {}
  if #cookies > 0 then
    headers["Cookie"] = cookies[(counter % #cookies) + 1]
  end
  return wrk.format("GET", path, headers)
end

function response(status, headers, body)
  if status ~= 200 then
    non200 = non200 + 1
  end
end

function done(summary, latency, requests)
  local bad = 0
  for _, thread in ipairs(threads) do
    bad = bad + (thread:get("non200") or 0)
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests": %d, "duration_us": %d, "bytes": %d, ' ..
    '"p50_us": %d, "p95_us": %d, "p99_us": %d, "max_us": %d, "non200": %d, ' ..
    '"connect": %d, "read": %d, "write": %d, "timeout": %d}\n',
    summary.requests, summary.duration, summary.bytes,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    bad, e.connect, e.read, e.write, e.timeout))
end
"""


@dataclass(frozen=True)
class LoadResult:
    """One load run: throughput, latency percentiles (seconds) and errors."""

    requests: int
    seconds: float
    p50: float
    p95: float
    p99: float
    errors: int
    bytes_per_response: float = 0.0
    load_before: float = 0.0  # the machine's 1-minute load average when the run began

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def line(self) -> str:
        return (
            f"{self.rps:.0f} req/s, p50 {self.p50 * 1000:.1f} ms, p95 {self.p95 * 1000:.1f} ms, "
            f"p99 {self.p99 * 1000:.1f} ms, {self.errors} errors in {self.requests} requests"
            + (f" (load average {self.load_before:.1f} before)" if self.load_before else "")
        )


def available() -> bool:
    return shutil.which("wrk") is not None


def run(
    base: str,
    path: str,
    cookies: list[str],
    seconds: int,
    connections: int,
    work: Path,
    threads: int = 1,
) -> LoadResult:
    """Run wrk for ``seconds`` against base+path (127.0.0.1 only) and parse its result."""
    if not base.startswith("http://127.0.0.1:"):
        raise ValueError("the bench only loads 127.0.0.1")
    lua = "{" + ", ".join(json.dumps(c) for c in cookies) + "}"
    script = work / "bench.lua"
    script.write_text(SCRIPT.replace("{COOKIES}", lua).replace("{PATH}", path))
    load_before = os.getloadavg()[0]
    done = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--timeout", "10s",
         "-s", str(script), base + path],
        capture_output=True, text=True, timeout=seconds + 60, check=False,
    )  # fmt: skip
    marker = next(
        (line for line in done.stdout.splitlines() if line.startswith("BENCH_RESULT ")), None
    )
    if marker is None:
        raise RuntimeError(f"wrk failed: {done.stdout}\n{done.stderr}")
    data = json.loads(marker.removeprefix("BENCH_RESULT "))
    errors = data["non200"] + data["connect"] + data["read"] + data["write"] + data["timeout"]
    requests = int(data["requests"])
    return LoadResult(
        requests=requests,
        seconds=data["duration_us"] / 1e6,
        p50=data["p50_us"] / 1e6,
        p95=data["p95_us"] / 1e6,
        p99=data["p99_us"] / 1e6,
        errors=int(errors),
        bytes_per_response=data["bytes"] / requests if requests else 0.0,
        load_before=load_before,
    )
