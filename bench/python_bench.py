"""ocus (Python) against httpx, requests, aiohttp and the raw Rust core, on the release emulator.

Same request for every client: GET /v3/projects/{id} with X-API-KEY, JSON decoded. One reused
client each, keep-alive, warm-up first, interleaved rounds; median (min-max) wall time and
client CPU per request, and each client's cost above the floor: a raw-socket client in the same
rounds (one write, read until Content-Length, nothing parsed), so what the machine charges every
client (waking an idle CPU, the emulator's own time) is not counted as the client's. The Rust
core runs in a subprocess after the rounds, not between them: a process started between rounds
leaves the CPUs awake for the next one, which flattered whichever client followed it.
Run: `make bench-python`.
"""

from __future__ import annotations

import asyncio
import re
import socket
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


FLOOR = "floor (raw socket)"
CONTENT_LENGTH = re.compile(rb"content-length: *(\d+)", re.IGNORECASE)


def raw_request(base: str, path: str) -> bytes:
    host = base.split("//", 1)[1].split("/", 1)[0]
    return f"GET {path} HTTP/1.1\r\nHost: {host}\r\nX-API-KEY: {KEY}\r\n\r\n".encode()


def response_length(head: bytes) -> int:
    """Bytes of the whole response once `head` holds its header block, else -1."""
    end = head.find(b"\r\n\r\n")
    if end < 0:
        return -1
    found = CONTENT_LENGTH.search(head, 0, end)
    assert found, "the emulator sends Content-Length"
    return end + 4 + int(found.group(1))


class RawSocketClient:
    """The floor: one kept-alive socket, one write per request, read until Content-Length."""

    def __init__(self, base: str, path: str) -> None:
        host, port = base.split("//", 1)[1].split("/", 1)[0].rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)))
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.request = raw_request(base, path)

    def get(self) -> None:
        self.sock.sendall(self.request)
        data, needed = b"", -1
        while needed < 0 or len(data) < needed:
            data += self.sock.recv(65536)
            if needed < 0:
                needed = response_length(data)


async def raw_async_get(base: str, path: str, idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]]) -> None:
    """The asyncio floor: a pool of kept-alive streams, one write, read until Content-Length."""
    if idle:
        reader, writer = idle.pop()
    else:
        host, port = base.split("//", 1)[1].split("/", 1)[0].rsplit(":", 1)
        reader, writer = await asyncio.open_connection(host, int(port))
    writer.write(raw_request(base, path))
    data, needed = b"", -1
    while needed < 0 or len(data) < needed:
        data += await reader.read(65536)
        if needed < 0:
            needed = response_length(data)
    idle.append((reader, writer))


def report(title: str, results: dict[str, list[tuple[float, float]]], reference: str) -> None:
    ref = statistics.median(w for w, _ in results[reference])
    floor_wall = statistics.median(w for w, _ in results[FLOOR])
    floor_cpu = statistics.median(c for _, c in results[FLOOR])
    print(f"\n{title}")
    print(
        f"{'client':<22} {'µs/req median (min-max)':>26} {'CPU µs/req':>11} {'vs ' + reference:>14}"
        f" {'above floor: wall':>18} {'CPU':>6}"
    )
    for name, samples in results.items():
        walls = [w for w, _ in samples]
        median = statistics.median(walls)
        cpu = statistics.median(c for _, c in samples)
        spread = f"{median:.1f} ({min(walls):.1f}-{max(walls):.1f})"
        above = f"{'-':>18} {'-':>6}" if name == FLOOR else f"{median - floor_wall:>18.1f} {cpu - floor_cpu:>6.1f}"
        print(f"{name:<22} {spread:>26} {cpu:>11.1f} {ref / median:>13.2f}x {above}")


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

    path = base.split("//", 1)[1].split("/", 1)[1]
    path = f"/{path}/projects/{project_id}"
    raw = RawSocketClient(base, path)
    sequential: dict[str, Callable[[], None]] = {
        FLOOR: seq(raw.get),
        "ocus.Client": seq(lambda: client.projects.get(project_id)),
        "httpx.Client": seq(lambda: hx.get(url).json()),
        "requests.Session": seq(lambda: rq.get(url).json()),
    }
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in sequential}
    for fn in sequential.values():
        fn()  # warm-up
    for _ in range(ROUNDS):
        for name, fn in sequential.items():
            results[name].append(timed(fn, SEQUENTIAL))
    results["Rust core (ocus crate)"] = [rust_core(1, SEQUENTIAL) for _ in range(3)]
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

        idle: list[tuple[asyncio.StreamReader, asyncio.StreamWriter]] = []

        async def raw_get() -> None:
            await raw_async_get(base, path, idle)

        clients = {
            FLOOR: raw_get,
            "ocus.AsyncClient": ocus_get,
            "aiohttp": aiohttp_get,
            "httpx.AsyncClient": httpx_get,
        }
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
        await oc.aclose()
        for _, writer in idle:
            writer.close()
        return out

    results = asyncio.run(concurrent())
    results["Rust core (ocus crate)"] = [rust_core(IN_FLIGHT, CONCURRENT) for _ in range(3)]
    report(f"{IN_FLIGHT} in flight ({CONCURRENT} per round, {ROUNDS} interleaved rounds)", results, "aiohttp")


if __name__ == "__main__":
    sys.exit(main())
