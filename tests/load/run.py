#!/usr/bin/env python3
"""The fault-injected load test: every language's driver against one emulator, checked once.

    tests/load/run.py [--calls N] [--concurrency C] [--profile release|debug] LANGUAGE...

LANGUAGE is rust, python-threads, python-asyncio, node or go (`all` for every one). For each,
this script resets the emulator, queues the fault mix, runs the driver (which only makes the
calls and reports what each returned), then checks the emulator's request log against the
report:

- every call ended, within timeout x attempts, with success or the typed error its last
  attempt's fault explains (503 -> service_unavailable, 429 -> rate_limited, a reset ->
  connection, a hang -> timeout);
- attempts per call (counted by the emulator, from the x-load-call header each call sends):
  at least 1, never more than 1 + max_retries; every call's answer was its own (the driver
  checks the id it got back) and reported once;
- connections follow the rule for after a burst (`ocus::IDLE_CONNECTION_TIMEOUT`): each
  driver's client has a short idle timeout, so once calls stop every pooled connection closes
  within three times it. "Before" is measured that long after the warm-up, "after" as soon
  as the descriptors are back to "before"'s (the table's `settled` column: time from the last
  call) or 1 s past that time. Descriptors must be back within a small fixed margin (the
  check counts no pooled connection, so a leak of one per fault shows as 100+), OS threads
  too, and RSS grew by less than the margin below.

It prints one table row per language and exits non-zero if any check failed. Standard
library only: it runs before any package is installed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
KEY = "sk_load_test_key"
MAX_RETRIES = 2
TIMEOUT_MS = 1000
# The mix the issue asks for; the rest answer 200.
FAULTS = [
    {"path": "/v3/projects/", "status": 503, "probability": 0.05},
    {"path": "/v3/projects/", "action": "reset", "probability": 0.02 / 0.95},
    {"path": "/v3/projects/", "action": "hang", "probability": 0.01 / 0.93},
    {"path": "/v3/projects/", "status": 429, "headers": {"retry-after": "0"}, "probability": 0.01 / 0.92},
]
WARM_UP = [{"path": "/v3/projects/", "delay_ms": 100, "probability": 1}]
EXPLAINS = {"respond 503": "service_unavailable", "respond 429": "rate_limited", "reset": "connection", "hang": "timeout"}
# The drivers' idle timeout, and how long after their last call every pooled connection is
# closed by then (three times it, and room for a loaded machine).
IDLE_TIMEOUT_MS = 300
SETTLE_MS = 3 * IDLE_TIMEOUT_MS + 300
# Descriptors a driver may open besides the pool's (its own admin connection to the emulator).
FD_MARGIN = 8
THREAD_MARGIN = 4
RSS_MARGIN_KB = 48 * 1024

DRIVERS = {
    "rust": [str(ROOT / "target/{profile}/ocus-load")],
    "python-threads": [str(ROOT / "target/py-venv/bin/python"), str(ROOT / "tests/load/driver.py"), "threads"],
    "python-asyncio": [str(ROOT / "target/py-venv/bin/python"), str(ROOT / "tests/load/driver.py"), "asyncio"],
    "node": ["node", "--expose-gc", str(ROOT / "tests/load/driver.js")],
    "go": [str(ROOT / "target/ocus-load-go")],
}


class Emulator:
    def __init__(self, binary: str) -> None:
        self.process = subprocess.Popen(
            [binary, "--addr", "127.0.0.1:0", "--api-key", KEY],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        assert self.process.stdout is not None
        self.base_url = self.process.stdout.readline().strip()
        self.admin_url = self.base_url.removesuffix("/v3")

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.admin_url + path, data=data, method=method, headers={"content-type": "application/json"}
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait()


def check(calls: int, report: dict[str, Any], log: list[dict[str, Any]]) -> list[str]:
    """What went wrong (empty: nothing)."""
    problems: list[str] = []
    attempts: dict[int, list[str | None]] = {}
    for request in log:
        call = request["headers"].get("x-load-call")
        if call is not None:
            attempts.setdefault(int(call), []).append(request.get("fault"))
    seen = Counter(result[0] for result in report["calls"])
    if len(seen) != calls or any(n != 1 for n in seen.values()):
        twice = [c for c, n in seen.items() if n != 1][:5]
        problems.append(f"{len(seen)} of {calls} calls reported (reported twice: {twice})")
    deadline_ms = TIMEOUT_MS * (1 + MAX_RETRIES) + 10_000  # attempts, backoff and scheduling
    for index, outcome, ms, own_answer in report["calls"]:
        tried = attempts.get(index, [])
        if not 1 <= len(tried) <= 1 + MAX_RETRIES:
            problems.append(f"call {index}: {len(tried)} attempts")
            continue
        if ms > deadline_ms:
            problems.append(f"call {index}: took {ms:.0f} ms")
        last = tried[-1]
        if outcome == "ok":
            if not own_answer:
                problems.append(f"call {index}: got another call's project")
            if last is not None:
                problems.append(f"call {index}: succeeded though its last attempt got {last}")
        elif EXPLAINS.get(last or "") != outcome:
            problems.append(f"call {index}: failed with {outcome} after {tried}")
    before, after = report["before"], report["after"]
    if after["fds"] > before["fds"] + FD_MARGIN:
        problems.append(f"descriptors {before['fds']} -> {after['fds']} {report['settle_ms']} ms after the last call")
    if after["threads"] > before["threads"] + THREAD_MARGIN:
        problems.append(f"threads {before['threads']} -> {after['threads']}")
    if after["rss_kb"] > before["rss_kb"] + RSS_MARGIN_KB:
        problems.append(f"RSS {before['rss_kb']} -> {after['rss_kb']} kB")
    return problems


def row(language: str, report: dict[str, Any], log: list[dict[str, Any]]) -> str:
    latencies = sorted(result[2] for result in report["calls"])
    outcomes = Counter(result[1] for result in report["calls"])
    per_call = Counter(r["headers"]["x-load-call"] for r in log if "x-load-call" in r["headers"])
    faults = sum(1 for r in log if r.get("fault"))
    p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
    failures = ", ".join(f"{kind} {n}" for kind, n in sorted(outcomes.items()) if kind != "ok") or "none"
    before, after = report["before"], report["after"]
    return (
        f"| {language} | {len(latencies) / report['elapsed_s']:.0f} | {statistics.median(latencies):.1f} | {p99:.1f} "
        f"| {failures} | {sum(per_call.values()) / max(1, len(per_call)):.3f} (max {max(per_call.values(), default=0)}; "
        f"{faults} faults) | {before['rss_kb'] // 1024}->{after['rss_kb'] // 1024} MiB, {before['fds']}->{after['fds']} fds, "
        f"{before['threads']}->{after['threads']} threads | {report['settle_ms']} ms |"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("languages", nargs="+")
    parser.add_argument("--calls", type=int, default=10_000)
    parser.add_argument("--concurrency", type=int, default=256)
    parser.add_argument("--profile", default="release", help="of the emulator and the Rust driver")
    args = parser.parse_args()
    languages = list(DRIVERS) if args.languages == ["all"] else args.languages
    emulator = Emulator(str(ROOT / f"target/{args.profile}/ocus-mock"))
    failed = False
    print(f"{args.calls} calls, {args.concurrency} in flight, timeout {TIMEOUT_MS} ms, max_retries {MAX_RETRIES}; "
          "faults: 5% 503, 2% reset mid-body, 1% hang, 1% 429 (Retry-After: 0)")
    print("| language | calls/s | p50 ms | p99 ms | failures by kind | attempts per call | resources (before -> after) | settled |")
    print("|---|---|---|---|---|---|---|---|")
    try:
        ids = emulator.admin("GET", "/__admin/info")["project_ids"]
        for language in languages:
            emulator.admin("POST", "/__admin/reset", {"keys": [{"key": KEY, "state": "valid", "name": "load"}]})
            # During the driver's warm-up every answer takes 100 ms, so its calls are all in
            # flight at once: its threads and buffers reach their full count before "before".
            emulator.admin("POST", "/__admin/faults", WARM_UP)
            env = {
                **os.environ,
                "OCUS_BASE_URL": emulator.base_url,
                "OCUS_API_KEY": KEY,
                "LOAD_CALLS": str(args.calls),
                "LOAD_CONCURRENCY": str(args.concurrency),
                "LOAD_TIMEOUT_MS": str(TIMEOUT_MS),
                "LOAD_MAX_RETRIES": str(MAX_RETRIES),
                "LOAD_IDS": ",".join(ids),
                # The driver warms up, measures, then replaces the warm-up's delay with these.
                "LOAD_FAULTS": json.dumps(FAULTS),
                "LOAD_ADMIN_URL": emulator.admin_url,
                "LOAD_IDLE_TIMEOUT_MS": str(IDLE_TIMEOUT_MS),
                "LOAD_SETTLE_MS": str(SETTLE_MS),
            }
            started = time.monotonic()
            command = [part.replace("{profile}", args.profile) for part in DRIVERS[language]]
            driver = subprocess.run(command, env=env, capture_output=True, text=True,
                                    timeout=600)
            if driver.returncode != 0:
                print(f"| {language} | driver failed ({driver.returncode}): {driver.stderr.strip()[-2000:]} |")
                failed = True
                continue
            report = json.loads(driver.stdout)
            log = [r for r in emulator.admin("GET", "/__admin/requests")["requests"] if "x-load-call" in r["headers"]]
            problems = check(args.calls, report, log)
            print(row(language, report, log) + f" {time.monotonic() - started:.0f} s")
            for problem in problems[:20]:
                print(f"    FAIL {language}: {problem}")
            failed |= bool(problems)
    finally:
        emulator.stop()
    print("load: " + ("FAILED" if failed else "ok"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
