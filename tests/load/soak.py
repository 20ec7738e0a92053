#!/usr/bin/env python3
"""The soak test (`make soak`, not in CI): the load drivers of every language at once against
one emulator with the fault mix, for SOAK_MINUTES (default 30), each driver's RSS, descriptors
and threads sampled every 30 s from /proc.

    tests/load/soak.py [--minutes M] [--interval S] [--csv PATH]

Prints the samples (also written as CSV) and per language the RSS slope over the second half
of the run (least squares, KiB per minute), the descriptor and thread range, and the calls and
failures each driver made. Fails when a slope exceeds SLOPE_LIMIT_KIB_PER_MIN or descriptors
or threads keep growing. Standard library only.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import run as load  # noqa: E402  (the drivers, the emulator and the fault mix)

# A leak of 100 bytes a call at these rates is several MiB a minute; allocator noise over a
# long run is well under this.
SLOPE_LIMIT_KIB_PER_MIN = 256
LANGUAGES = ["rust", "python-asyncio", "node", "go"]


def sample(pid: int) -> dict[str, int]:
    status = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    return {
        "rss_kb": int(status["VmRSS"].split()[0]),
        "threads": int(status["Threads"]),
        "fds": len(os.listdir(f"/proc/{pid}/fd")),
    }


def slope(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of (x, y)."""
    n = len(points)
    if n < 2:
        return 0.0
    mx = sum(x for x, _ in points) / n
    my = sum(y for _, y in points) / n
    var = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / var if var else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=float(os.environ.get("SOAK_MINUTES", 30)))
    parser.add_argument("--interval", type=float, default=30)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--csv", default=str(load.ROOT / "target/soak.csv"))
    args = parser.parse_args()
    emulator = load.Emulator(str(load.ROOT / "target/release/ocus-mock"))
    drivers: dict[str, subprocess.Popen[str]] = {}
    rows: list[dict[str, object]] = []
    try:
        emulator.admin("POST", "/__admin/reset", {"keys": [{"key": load.KEY, "state": "valid", "name": "load"}]})
        ids = emulator.admin("GET", "/__admin/info")["project_ids"]
        emulator.admin("POST", "/__admin/faults", load.FAULTS)  # for the whole run, for everyone
        env = {
            **os.environ,
            "OCUS_BASE_URL": emulator.base_url,
            "OCUS_API_KEY": load.KEY,
            "LOAD_SECONDS": str(int(args.minutes * 60)),
            "LOAD_CONCURRENCY": str(args.concurrency),
            "LOAD_TIMEOUT_MS": str(load.TIMEOUT_MS),
            "LOAD_MAX_RETRIES": str(load.MAX_RETRIES),
            "LOAD_IDS": ",".join(ids),
        }
        for language in LANGUAGES:
            command = [part.replace("{profile}", "release") for part in load.DRIVERS[language]]
            drivers[language] = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        started = time.monotonic()
        print(f"soak: {', '.join(LANGUAGES)} at once, {args.concurrency} in flight each, {args.minutes:g} min, "
              f"a sample every {args.interval:g} s")
        while any(d.poll() is None for d in drivers.values()):
            minute = (time.monotonic() - started) / 60
            for language, driver in drivers.items():
                if driver.poll() is None:
                    try:
                        rows.append({"minute": round(minute, 2), "language": language, **sample(driver.pid)})
                    except (FileNotFoundError, ProcessLookupError):
                        pass
            # The emulator keeps every request it logs: the soak needs none of them.
            emulator.admin("DELETE", "/__admin/requests")
            time.sleep(args.interval)
        reports = {}
        for language, driver in drivers.items():
            out, err = driver.communicate()
            if driver.returncode != 0:
                print(f"{language}: driver failed ({driver.returncode}): {err.strip()[-2000:]}")
                return 1
            reports[language] = json.loads(out)
    finally:
        for driver in drivers.values():
            if driver.poll() is None:
                driver.kill()
        emulator.stop()
    with open(args.csv, "w", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=["minute", "language", "rss_kb", "fds", "threads"])
        writer.writeheader()
        writer.writerows(rows)
    failed = False
    print("| language | calls | failures | RSS first -> last (MiB) | RSS slope, 2nd half (KiB/min) | fds min-max | threads min-max |")
    print("|---|---|---|---|---|---|---|")
    for language in LANGUAGES:
        # The first minute is start-up (connections, caches, the JIT): not part of the steady state.
        mine = [r for r in rows if r["language"] == language and float(r["minute"]) >= min(1.0, args.minutes / 2)]  # type: ignore[arg-type]
        half = [r for r in mine if float(r["minute"]) >= args.minutes / 2]  # type: ignore[arg-type]
        rss_slope = slope([(float(r["minute"]), float(r["rss_kb"])) for r in half])  # type: ignore[arg-type]
        fds = [int(r["fds"]) for r in mine]  # type: ignore[call-overload]
        threads = [int(r["threads"]) for r in mine]  # type: ignore[call-overload]
        report = reports[language]
        failures = sum(n for kind, n in report["outcomes"].items() if kind != "ok")
        print(f"| {language} | {report['calls']} | {failures} | {int(mine[0]['rss_kb']) // 1024} -> "  # type: ignore[call-overload]
              f"{int(mine[-1]['rss_kb']) // 1024} | {rss_slope:.0f} | {min(fds)}-{max(fds)} | {min(threads)}-{max(threads)} |")  # type: ignore[call-overload]
        fd_growth = slope([(float(r["minute"]), float(r["fds"])) for r in half])  # type: ignore[arg-type]
        if rss_slope > SLOPE_LIMIT_KIB_PER_MIN or fd_growth > 1 or max(threads) > min(threads) + 8:
            print(f"    FAIL {language}: RSS slope {rss_slope:.0f} KiB/min, fds slope {fd_growth:.2f}/min")
            failed = True
    print(f"samples: {args.csv}")
    print("soak: " + ("FAILED" if failed else "ok"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
