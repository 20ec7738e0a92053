"""What OpenTelemetry costs a Python call (`make bench-python`).

Client CPU and wall per sequential GET against the release emulator, each configuration in
its own process (a tracer provider is global and set once), interleaved in rounds:
  - ocus with the OpenTelemetry API importable but no provider set up (what most users run);
  - ocus with the API not importable (the `otel` extra not installed): the floor of the above;
  - ocus traced: an SDK tracer and meter provider, spans to an exporter that drops them;
  - httpx plain, and httpx traced by opentelemetry-instrumentation-httpx, the same SDK setup.
Then the check a call makes with the API and no provider, timed on its own.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import timeit
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KEY = "sk_bench_otel_key"
CALLS = 2000
ROUNDS = 7

DRIVER = r"""
import json, sys, time
mode, base, project = sys.argv[1], sys.argv[2], sys.argv[3]
if mode == "ocus, no API":
    sys.modules["opentelemetry"] = None
if mode.endswith("traced"):
    from opentelemetry import metrics, trace
    from opentelemetry.sdk.metrics import MeterProvider
    from opentelemetry.sdk.metrics.export import InMemoryMetricReader
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult

    class Dropped(SpanExporter):
        def export(self, spans):
            return SpanExportResult.SUCCESS

    provider = TracerProvider()
    provider.add_span_processor(BatchSpanProcessor(Dropped()))
    trace.set_tracer_provider(provider)
    metrics.set_meter_provider(MeterProvider(metric_readers=[InMemoryMetricReader()]))
if mode.startswith("httpx"):
    import httpx
    if mode.endswith("traced"):
        from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
        HTTPXClientInstrumentor().instrument()
    client = httpx.Client(headers={"X-API-KEY": sys.argv[4]})
    url = f"{base}/projects/{project}"
    call = lambda: client.get(url).json()
else:
    import ocus
    client = ocus.Client(sys.argv[4], base_url=base)
    call = lambda: client.projects.get(project)
count = int(sys.argv[5])
for _ in range(200):
    call()
cpu, wall = time.process_time(), time.perf_counter()
for _ in range(count):
    call()
print(json.dumps({"wall": (time.perf_counter() - wall) * 1e6 / count, "cpu": (time.process_time() - cpu) * 1e6 / count}))
"""

MODES = ["ocus, API, no provider", "ocus, no API", "ocus traced", "httpx", "httpx traced"]


def main() -> None:
    mock = subprocess.Popen([str(ROOT / "target/release/ocus-mock"), "--addr", "127.0.0.1:0", "--api-key", KEY],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    assert mock.stdout is not None
    base = mock.stdout.readline().strip()
    try:
        import ocus

        project = ocus.Client(KEY, base_url=base).projects.list_page(page_size=1).data[0].id
        results: dict[str, list[dict[str, float]]] = {mode: [] for mode in MODES}
        for _ in range(ROUNDS):
            for mode in MODES:
                out = subprocess.run([sys.executable, "-c", DRIVER, mode, base, project, KEY, str(CALLS)],
                                     check=True, capture_output=True, text=True).stdout
                results[mode].append(json.loads(out))
    finally:
        mock.kill()
    print(f"\nOpenTelemetry, sequential GETs ({CALLS} per process, {ROUNDS} interleaved rounds; medians, µs per call)")
    print(f"{'client':<26}{'wall':>8}{'CPU':>8}")
    median = {mode: {k: statistics.median(r[k] for r in rows) for k in ("wall", "cpu")} for mode, rows in results.items()}
    for mode in MODES:
        print(f"{mode:<26}{median[mode]['wall']:>8.1f}{median[mode]['cpu']:>8.1f}")
    no_provider = median["ocus, API, no provider"]["cpu"] - median["ocus, no API"]["cpu"]
    print(f"no provider vs no API, CPU per call: {no_provider:+.1f} µs (separate processes: a few µs either way is noise here; the check below is the work added)")
    ours = median["ocus traced"]["cpu"] - median["ocus, API, no provider"]["cpu"]
    theirs = median["httpx traced"]["cpu"] - median["httpx"]["cpu"]
    print(f"tracing adds, CPU per call: ocus {ours:.1f} µs, httpx with its instrumentation {theirs:.1f} µs")
    import ocus._otel as otel

    assert otel.begin is not None
    check = timeit.timeit(otel.begin, number=200_000) / 200_000 * 1e6
    print(f"the per-call check with the API and no provider, alone: {check:.3f} µs")


if __name__ == "__main__":
    main()
