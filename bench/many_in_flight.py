"""Many calls in flight: 1,000 and 10,000 at once, one client per process, each binding beside
its language's native peer (issue 20's third table).

Each row is a process of its own, so RSS, descriptors and threads are that client's alone. The
driver makes IN_FLIGHT calls to open its connections, then max(20000, 2 x IN_FLIGHT) timed GETs
of one project with IN_FLIGHT always outstanding, and prints one JSON line (calls per second,
p50 and p99 latency, RSS, descriptors, threads and errors at the end). Node's driver is
bench/node_bench.js --high, the JVM's Bench.kt --high (make bench-jvm prints its own table).

Run: `make bench-go` / `make bench-python` (or `python3 bench/many_in_flight.py go python`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from release_emulator import ROOT, release_emulator
IN_FLIGHT = (1000, 10000)

PY_DRIVER = r"""
import asyncio, json, os, resource, sys, time
base, pid, count, in_flight, which = sys.argv[1:]
count, in_flight = int(count), int(in_flight)
key = os.environ["KEY"]

async def main():
    if which == "ocus asyncio":
        import ocus
        client = ocus.AsyncClient(api_key=key, base_url=base)
        async def call():
            await client.projects.get(pid)
        close = client.aclose
    else:
        import aiohttp
        session = aiohttp.ClientSession(headers={"X-API-KEY": key}, connector=aiohttp.TCPConnector(limit=0))
        url = f"{base}/projects/{pid}"
        async def call():
            async with session.get(url) as response:
                response.raise_for_status()
                await response.json()
        close = session.close
    latencies, errors = [], [0]
    async def run(calls):
        left = [calls]
        async def worker():
            while left[0] > 0:
                left[0] -= 1
                start = time.perf_counter()
                try:
                    await call()
                except Exception:
                    errors[0] += 1
                latencies.append(time.perf_counter() - start)
        await asyncio.gather(*(worker() for _ in range(in_flight)))
    await run(in_flight)
    latencies.clear()
    errors[0] = 0
    start = time.perf_counter()
    await run(count)
    seconds = time.perf_counter() - start
    latencies.sort()
    rss = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmRSS:"))
    print(json.dumps({
        "perSecond": count / seconds, "p50": latencies[count // 2] * 1000, "p99": latencies[int(count * 0.99)] * 1000,
        "rssMiB": rss / 1024, "fds": len(os.listdir("/proc/self/fd")), "threads": len(os.listdir("/proc/self/task")),
        "errors": errors[0],
    }))
    await close()

asyncio.run(main())
"""


def drivers(language: str, base: str, project_id: str) -> list[tuple[str, list[str]]]:
    """(client, command with {count} and {in_flight}) for one language, binding first."""
    if language == "go":
        go_driver = ROOT / "target/ocus-syscalls-go"
        subprocess.run(["go", "build", "-o", str(go_driver), "./internal/syscalldriver"], cwd=ROOT / "bindings-go-ffi/go", check=True)
        return [
            (name, [str(go_driver), base, project_id, "{count}", "{in_flight}", name, "report"])
            for name in ("ocus", "net/http")
        ]
    if language == "python":
        python = os.environ.get("OCUS_BENCH_PYTHON", str(ROOT / "target/py-venv/bin/python"))
        return [
            (name, [python, "-c", PY_DRIVER, base, project_id, "{count}", "{in_flight}", name])
            for name in ("ocus asyncio", "aiohttp")
        ]
    if language == "node":
        return [
            (name, ["node", str(ROOT / "bench/node_bench.js"), "--high", name, "{in_flight}", base, project_id])
            for name in ("ocus", "undici.request")
        ]
    raise SystemExit(f"unknown language {language!r} (go, python, node)")


def main() -> None:
    languages = sys.argv[1:] or ["go", "python"]
    with release_emulator() as (base, project_id, env):
        for language in languages:
            print(f"\n{language}: many in flight (one process per client, max(20000, 2 x in flight) calls after a warm-up)")
            print(f"{'client':<16} {'in flight':>9} {'calls/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'RSS MiB':>8} {'fds':>6} {'threads':>8} {'errors':>7}")
            clients = drivers(language, base, project_id)
            for in_flight in IN_FLIGHT:
                count = max(20000, 2 * in_flight)
                for name, command in clients:
                    argv = [part.replace("{count}", str(count)).replace("{in_flight}", str(in_flight)) for part in command]
                    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=600)
                    if done.returncode != 0:
                        print(f"{name:<16} {in_flight:>9} failed ({done.returncode}): {done.stderr.strip()[-300:]}", flush=True)
                        continue
                    out = json.loads(done.stdout.strip().splitlines()[-1])
                    print(
                        f"{name:<16} {in_flight:>9} {out['perSecond']:>9.0f} {out['p50']:>8.1f} {out['p99']:>8.1f} "
                        f"{out['rssMiB']:>8.0f} {out['fds']:>6} {out['threads']:>8} {out['errors']:>7}",
                        flush=True,
                    )


if __name__ == "__main__":
    main()
