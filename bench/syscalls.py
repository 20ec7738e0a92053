"""System calls and context switches per request, per client, at 1 and at 50 in flight.

The figures that do not move with the machine's state (DESIGN.md §7): each client runs the same
GET /v3/projects/{id} loop against the release emulator under `strace -f -c`, twice, with a
short and a long count; the difference divided by the difference in requests is the steady
per-request cost, without start-up (imports, module loading, the first connection).
Context switches come from /proc (voluntary + involuntary, all threads) the same way.

Run: `make bench-syscalls` (installs strace if missing).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from release_emulator import ROOT, release_emulator
SHORT, LONG = 2000, 14000

NODE_DRIVER = r"""
const [base, id, count, inFlight, which] = process.argv.slice(1)
const paths = { paths: [process.env.OCUS_ROOT + '/bindings-node', process.env.OCUS_ROOT + '/examples/node'] }
const ocus = require(require.resolve('ocus', paths))
const undici = require(require.resolve('undici', paths))
const headers = { 'x-api-key': process.env.KEY }
async function main() {
  let call
  if (which === 'ocus') {
    const client = new ocus.Client({ apiKey: process.env.KEY, baseUrl: base })
    call = () => client.projects.get(id)
  } else if (which === 'undici.request') {
    const pool = new undici.Agent({ connections: Number(inFlight), pipelining: 1 })
    call = async () => (await undici.request(`${base}/projects/${id}`, { headers, dispatcher: pool })).body.json()
  }
  let next = 0
  await Promise.all(Array.from({ length: Number(inFlight) }, async () => {
    while (next++ < Number(count)) await call()
  }))
  process.exit(0)
}
main()
"""

PY_DRIVER = r"""
import asyncio, sys, os
import ocus
base, pid, count, in_flight, which = sys.argv[1:]
count, in_flight = int(count), int(in_flight)
if which == "ocus sync":
    c = ocus.Client(api_key=os.environ["KEY"], base_url=base)
    for _ in range(count):
        c.projects.get(pid)
else:
    async def main():
        async with ocus.AsyncClient(api_key=os.environ["KEY"], base_url=base) as c:
            left = [count]
            async def worker():
                while left[0] > 0:
                    left[0] -= 1
                    await c.projects.get(pid)
            await asyncio.gather(*(worker() for _ in range(in_flight)))
    asyncio.run(main())
"""


def parse(summary: str) -> dict[str, int]:
    calls: dict[str, int] = {}
    for line in summary.splitlines():
        fields = line.split()
        # % time, seconds, usecs/call, calls, [errors], syscall
        if len(fields) >= 5 and fields[0][0].isdigit() and fields[-1] != "total":
            try:
                calls[fields[-1]] = int(fields[3])
            except ValueError:
                continue
    return calls


def run_once(command: list[str], env: dict[str, str]) -> tuple[dict[str, int], int]:
    """System calls (under strace) and context switches (in a second run without it: a traced
    process switches at every stop) of one run of `command`."""
    with tempfile.NamedTemporaryFile("r", suffix=".strace") as out:
        subprocess.run(["strace", "-f", "-c", "-o", out.name, *command], env=env, capture_output=True, check=True)
        calls = parse(out.read())
    # `time -f`: the voluntary and involuntary switches of the process and all its threads.
    result = subprocess.run(["/usr/bin/time", "-f", "CSW %w %c", *command], env=env, capture_output=True, text=True, check=True)
    found = re.search(r"CSW (\d+) (\d+)", result.stderr)
    return calls, int(found.group(1)) + int(found.group(2)) if found else 0


def per_request(command: list[str], env: dict[str, str]) -> tuple[dict[str, float], float]:
    short, short_csw = run_once([part.replace("{count}", str(SHORT)) for part in command], env)
    long, long_csw = run_once([part.replace("{count}", str(LONG)) for part in command], env)
    span = LONG - SHORT
    calls = {name: (long.get(name, 0) - short.get(name, 0)) / span for name in long}
    return calls, (long_csw - short_csw) / span


def main() -> None:
    if not shutil.which("strace") or not Path("/usr/bin/time").exists():
        sys.exit("needs strace and /usr/bin/time (apt-get install strace time)")
    with release_emulator() as (base, project_id, env):
        python = os.environ.get("OCUS_BENCH_PYTHON", str(ROOT / "target/py-venv/bin/python"))
        clients: list[tuple[str, int, list[str]]] = []
        for in_flight in (1, 50):
            for name in ("undici.request", "ocus"):
                clients.append((f"node {name}", in_flight, ["node", "-e", NODE_DRIVER, base, project_id, "{count}", str(in_flight), name]))
        clients.append(("python ocus sync", 1, [python, "-c", PY_DRIVER, base, project_id, "{count}", "1", "ocus sync"]))
        for in_flight in (1, 50):
            clients.append(("python ocus asyncio", in_flight, [python, "-c", PY_DRIVER, base, project_id, "{count}", str(in_flight), "ocus async"]))
        go_driver = ROOT / "target/ocus-syscalls-go"
        subprocess.run(
            ["go", "build", "-o", str(go_driver), "./internal/syscalldriver"],
            cwd=ROOT / "bindings-go-ffi/go", check=True,
        )
        for in_flight in (1, 50):
            for name in ("net/http", "ocus"):
                clients.append((f"go {name}", in_flight, [str(go_driver), base, project_id, "{count}", str(in_flight), name]))
        clients.append(("rust core", 1, [str(ROOT / "target/release/ocus-bench"), "core", base, project_id, "{count}", "1"]))
        clients.append(("rust core", 50, [str(ROOT / "target/release/ocus-bench"), "core", base, project_id, "{count}", "50"]))
        only = sys.argv[1:]
        print(f"system calls per request ({LONG} - {SHORT} GETs, strace -f -c), context switches per request")
        print(f"{'client':<22} {'in flight':>9} {'total':>7} {'ctx sw':>7}  main calls")
        for name, in_flight, command in clients:
            if only and not any(word in name for word in only):
                continue
            calls, csw = per_request(command, env)
            total = sum(calls.values())
            top = sorted(((n, c) for n, c in calls.items() if c >= 0.05), key=lambda nc: -nc[1])
            detail = ", ".join(f"{n} {c:.2f}" for n, c in top[:7])
            print(f"{name:<22} {in_flight:>9} {total:>7.2f} {csw:>7.2f}  {detail}", flush=True)


if __name__ == "__main__":
    main()
