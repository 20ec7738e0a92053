"""ocus (Python) against httpx, requests, aiohttp and the raw Rust core, on the release emulator.

Same request for every client: GET /v3/projects/{id} with X-API-KEY, JSON decoded. One reused
client each, keep-alive, warm-up first, interleaved rounds; median (min-max) wall time and
client CPU per request. Run: `make bench-python`.
"""

from __future__ import annotations

import asyncio
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Awaitable, Callable

import aiohttp
import httpx
import requests

import ocus

ROOT = Path(__file__).resolve().parents[1]
KEY = "bench_key_0123456789"
ROUNDS = 7
SEQUENTIAL = 2000
CONCURRENT = 5000
IN_FLIGHT = 50


def timed(run: Callable[[], None], count: int) -> tuple[float, float]:
    cpu0, wall0 = time.process_time(), time.perf_counter()
    run()
    return (time.perf_counter() - wall0) * 1e6 / count, (time.process_time() - cpu0) * 1e6 / count


def report(title: str, results: dict[str, list[tuple[float, float]]], reference: str) -> None:
    ref = statistics.median(w for w, _ in results[reference])
    print(f"\n{title}")
    print(f"{'client':<22} {'µs/req median (min-max)':>26} {'CPU µs/req':>11} {'vs ' + reference:>14}")
    for name, samples in results.items():
        walls = [w for w, _ in samples]
        median = statistics.median(walls)
        cpu = statistics.median(c for _, c in samples)
        spread = f"{median:.1f} ({min(walls):.1f}-{max(walls):.1f})"
        print(f"{name:<22} {spread:>26} {cpu:>11.1f} {ref / median:>13.2f}x")


def main() -> None:
    mock = subprocess.Popen(
        [str(ROOT / "target/release/ocus-mock"), "--addr", "127.0.0.1:0", "--api-key", KEY],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    assert mock.stdout is not None
    base = mock.stdout.readline().strip()
    try:
        run(base)
    finally:
        mock.kill()


def run(base: str) -> None:
    client = ocus.Client(api_key=KEY, base_url=base)
    project_id = client.projects.list_page(page_size=1).data[0].id
    url = f"{base}/projects/{project_id}"
    headers = {"X-API-KEY": KEY}
    hx = httpx.Client(headers=headers)
    rq = requests.Session()
    rq.headers.update(headers)

    def seq(fn: Callable[[], Any]) -> Callable[[], None]:
        def loop() -> None:
            for _ in range(SEQUENTIAL):
                fn()
        return loop

    def rust_core(in_flight: int, count: int) -> tuple[float, float]:
        out = subprocess.run(
            [str(ROOT / "target/release/ocus-bench"), "core", base, project_id, str(count), str(in_flight)],
            check=True, capture_output=True, text=True,
        ).stdout.split()
        return float(out[0]), float(out[1])

    sequential: dict[str, Callable[[], None]] = {
        "ocus.Client": seq(lambda: client.projects.get(project_id)),
        "httpx.Client": seq(lambda: hx.get(url).json()),
        "requests.Session": seq(lambda: rq.get(url).json()),
    }
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in sequential}
    results["Rust core (ocus crate)"] = []
    for fn in sequential.values():
        fn()  # warm-up
    for _ in range(ROUNDS):
        for name, fn in sequential.items():
            results[name].append(timed(fn, SEQUENTIAL))
        results["Rust core (ocus crate)"].append(rust_core(1, SEQUENTIAL))
    report(f"sequential GETs ({SEQUENTIAL} per round, {ROUNDS} interleaved rounds)", results, "httpx.Client")
    over_core = statistics.median(w for w, _ in results["ocus.Client"]) - statistics.median(
        w for w, _ in results["Rust core (ocus crate)"]
    )
    print(f"ocus.Client overhead above the Rust core: {over_core:.1f} µs/request")
    rq_ratio = statistics.median(w for w, _ in results["requests.Session"]) / statistics.median(
        w for w, _ in results["ocus.Client"]
    )
    print(f"ocus.Client vs requests.Session: {rq_ratio:.2f}x")

    async def concurrent() -> dict[str, list[tuple[float, float]]]:
        oc = ocus.AsyncClient(api_key=KEY, base_url=base)
        ax = httpx.AsyncClient(headers=headers, limits=httpx.Limits(max_connections=IN_FLIGHT))
        session = aiohttp.ClientSession(headers=headers, connector=aiohttp.TCPConnector(limit=IN_FLIGHT))

        async def ocus_get() -> Any:
            return await oc.projects.get(project_id)

        async def httpx_get() -> Any:
            return (await ax.get(url)).json()

        async def aiohttp_get() -> Any:
            async with session.get(url) as response:
                return await response.json()

        async def fan_out(fn: Callable[[], Awaitable[Any]]) -> None:
            semaphore = asyncio.Semaphore(IN_FLIGHT)

            async def one() -> None:
                async with semaphore:
                    await fn()

            await asyncio.gather(*(one() for _ in range(CONCURRENT)))

        clients = {"ocus.AsyncClient": ocus_get, "aiohttp": aiohttp_get, "httpx.AsyncClient": httpx_get}
        out: dict[str, list[tuple[float, float]]] = {name: [] for name in clients}
        for fn in clients.values():
            await fan_out(fn)  # warm-up
        for _ in range(ROUNDS):
            for name, fn in clients.items():
                cpu0, wall0 = time.process_time(), time.perf_counter()
                await fan_out(fn)
                out[name].append(
                    ((time.perf_counter() - wall0) * 1e6 / CONCURRENT, (time.process_time() - cpu0) * 1e6 / CONCURRENT)
                )
        await session.close()
        await ax.aclose()
        return out

    results = asyncio.run(concurrent())
    results["Rust core (ocus crate)"] = [rust_core(IN_FLIGHT, CONCURRENT) for _ in range(3)]
    report(f"{IN_FLIGHT} in flight ({CONCURRENT} per round, {ROUNDS} interleaved rounds)", results, "aiohttp")


if __name__ == "__main__":
    sys.exit(main())
