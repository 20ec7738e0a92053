"""Load driver for Python (see tests/load/run.py): `driver.py threads|asyncio`.

Makes LOAD_CALLS gets, LOAD_CONCURRENCY at a time, through the installed package, and prints
what each returned; run.py does the checking.
"""

from __future__ import annotations

import asyncio
import gc
import json
import os
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Optional

import ocus

CALLS = int(os.environ.get("LOAD_CALLS", "0"))
CONCURRENCY = int(os.environ["LOAD_CONCURRENCY"])
IDS = os.environ["LOAD_IDS"].split(",")
OPTIONS: dict[str, Any] = {
    "timeout": int(os.environ["LOAD_TIMEOUT_MS"]) / 1000,
    "max_retries": int(os.environ["LOAD_MAX_RETRIES"]),
}
if "LOAD_IDLE_TIMEOUT_MS" in os.environ:
    OPTIONS["idle_timeout"] = int(os.environ["LOAD_IDLE_TIMEOUT_MS"]) / 1000


def resources() -> dict[str, int]:
    gc.collect()
    status = dict(line.split(":", 1) for line in open("/proc/self/status"))
    return {
        "rss_kb": int(status["VmRSS"].split()[0]),
        "threads": int(status["Threads"]),
        "fds": len(os.listdir("/proc/self/fd")),
    }


def admin(method: str, body: Optional[str]) -> None:
    request = urllib.request.Request(
        os.environ["LOAD_ADMIN_URL"] + "/__admin/faults",
        data=None if body is None else body.encode(),
        method=method,
        headers={"content-type": "application/json"},
    )
    urllib.request.urlopen(request).close()


def outcome(index: int, project: Optional[ocus.Project], error: Optional[ocus.OcusError], started: float) -> list[Any]:
    ms = (time.monotonic() - started) * 1000
    if error is not None:
        return [index, error.kind, ms, False]
    assert project is not None
    return [index, "ok", ms, project.id == IDS[index % len(IDS)]]


SETTLE_S = int(os.environ.get("LOAD_SETTLE_MS", "0")) / 1000


def settle_check(fds: int, last_call: float) -> Optional[dict[str, Any]]:
    """Resources once the pool has let go of its connections (at most `fds` descriptors) or the
    settle time and 1 s more have passed since the last call (then the check says how many);
    None while neither."""
    now: dict[str, Any] = resources()
    if now["fds"] > fds and time.monotonic() - last_call <= SETTLE_S + 1:
        return None
    now["settle_ms"] = round((time.monotonic() - last_call) * 1000)
    return now


def run_threads() -> tuple[dict[str, int], dict[str, Any], list[list[Any]], float]:
    client = ocus.Client(**OPTIONS)

    def call(index: int) -> list[Any]:
        started = time.monotonic()
        try:
            project = client.projects.get(IDS[index % len(IDS)], extra_headers={"x-load-call": str(index)})
        except ocus.OcusError as error:
            return outcome(index, None, error, started)
        return outcome(index, project, None, started)

    with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
        # Every worker thread started (the executor starts them lazily), each with a call in
        # flight at once: the pool's threads and connections at their full count.
        gate = threading.Barrier(CONCURRENCY)

        def together(index: int) -> None:
            gate.wait()
            client.projects.get(IDS[index % len(IDS)])

        list(pool.map(together, range(CONCURRENCY)))
        list(pool.map(lambda i: client.projects.get(IDS[i % len(IDS)]), range(2 * CONCURRENCY)))
        # Every connection the warm-up opened has closed (the idle timeout's rule): "before"
        # and "after" count no pooled connection, so anything left open after a run is a leak.
        time.sleep(SETTLE_S)
        before = resources()
        admin("DELETE", None)
        admin("POST", os.environ["LOAD_FAULTS"])
        started = time.monotonic()
        results = list(pool.map(call, range(CALLS)))
        elapsed = time.monotonic() - started
        admin("DELETE", None)
        last_call = time.monotonic()
        while (after := settle_check(before["fds"], last_call)) is None:
            time.sleep(0.02)
    client.close()
    return before, after, results, elapsed


def run_asyncio() -> tuple[dict[str, int], dict[str, Any], list[list[Any]], float]:
    async def main() -> tuple[dict[str, int], dict[str, Any], list[list[Any]], float]:
        client = ocus.AsyncClient(**OPTIONS)
        gate = asyncio.Semaphore(CONCURRENCY)

        async def call(index: int) -> list[Any]:
            async with gate:
                started = time.monotonic()
                try:
                    project = await client.projects.get(
                        IDS[index % len(IDS)], extra_headers={"x-load-call": str(index)}
                    )
                except ocus.OcusError as error:
                    return outcome(index, None, error, started)
                return outcome(index, project, None, started)

        async def warm_up() -> None:
            await asyncio.gather(*(client.projects.get(IDS[i % len(IDS)]) for i in range(2 * CONCURRENCY)))

        await warm_up()
        await asyncio.sleep(SETTLE_S)  # as in run_threads
        before = resources()
        admin("DELETE", None)
        admin("POST", os.environ["LOAD_FAULTS"])
        started = time.monotonic()
        results = await asyncio.gather(*(call(i) for i in range(CALLS)))
        elapsed = time.monotonic() - started
        admin("DELETE", None)
        last_call = time.monotonic()
        while (after := settle_check(before["fds"], last_call)) is None:
            await asyncio.sleep(0.02)
        await client.aclose()
        return before, after, list(results), elapsed

    return asyncio.run(main())


def soak(seconds: float) -> None:
    """Soak mode (tests/load/soak.py): calls until `seconds` have passed, keeping only counts
    (so the driver's own memory stays flat), faults left to the orchestrator."""

    async def main() -> dict[str, Any]:
        client = ocus.AsyncClient(**OPTIONS)
        deadline = time.monotonic() + seconds
        outcomes: dict[str, int] = {}
        calls = 0

        async def worker(offset: int) -> None:
            nonlocal calls
            index = offset
            while time.monotonic() < deadline:
                try:
                    await client.projects.get(IDS[index % len(IDS)])
                    kind = "ok"
                except ocus.OcusError as error:
                    kind = error.kind
                outcomes[kind] = outcomes.get(kind, 0) + 1
                calls += 1
                index += CONCURRENCY

        await asyncio.gather(*(worker(i) for i in range(CONCURRENCY)))
        await client.aclose()
        return {"calls": calls, "outcomes": outcomes}

    json.dump(asyncio.run(main()), sys.stdout)


def main() -> None:
    if "LOAD_SECONDS" in os.environ:
        soak(float(os.environ["LOAD_SECONDS"]))
        return
    before, after, results, elapsed = run_threads() if sys.argv[1] == "threads" else run_asyncio()
    settle_ms = after.pop("settle_ms")
    json.dump({"before": before, "after": after, "settle_ms": settle_ms, "elapsed_s": elapsed, "calls": results}, sys.stdout)


if __name__ == "__main__":
    main()
