"""OpenTelemetry: spans under the caller's span, one per attempt, the trace context the server
receives, the duration histogram, and never the key. The SDK's in-memory exporter and reader
record what an application's exporter would get; the providers are set up by the first test
here (earlier test files run with none, as most applications do)."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from typing import Any, Iterator

import pytest
from opentelemetry import metrics, trace
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind, StatusCode

import ocus

from conftest import ALPHA, Emulator

ID = "910a2dec-8902-4cc1-9758-35de1c9756ce"
_exporter = InMemorySpanExporter()
_reader = InMemoryMetricReader()


@pytest.fixture()
def otel(mock: Emulator) -> Iterator[InMemorySpanExporter]:
    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        provider = TracerProvider()
        provider.add_span_processor(SimpleSpanProcessor(_exporter))
        trace.set_tracer_provider(provider)
        metrics.set_meter_provider(MeterProvider(metric_readers=[_reader]))
    _exporter.clear()
    yield _exporter


def by_name(spans: Any, name: str) -> list[ReadableSpan]:
    return [s for s in spans if s.name == name]


def traceparent_of(span: ReadableSpan) -> str:
    context = span.get_span_context()
    return f"00-{context.trace_id:032x}-{context.span_id:016x}-{int(context.trace_flags):02x}"


def test_a_retried_get_is_one_operation_with_an_attempt_span_per_try(mock: Emulator, otel: InMemorySpanExporter) -> None:
    mock.faults({"path": f"/v3/projects/{ID}", "status": 503, "headers": {"retry-after": "0"}, "times": 1})
    tracer = trace.get_tracer("app")
    with ocus.Client(ALPHA, base_url=mock.base_url) as client, tracer.start_as_current_span("handler") as handler:
        client.projects.get(ID)
    spans = otel.get_finished_spans()
    [operation] = by_name(spans, "projects.get")
    attempts = by_name(spans, "GET /v3/projects/{id}")
    assert len(attempts) == 2
    assert operation.kind == SpanKind.INTERNAL
    assert operation.parent is not None and operation.parent.span_id == handler.get_span_context().span_id
    port = int(mock.base_url.rsplit(":", 1)[1].split("/")[0])
    for attempt in attempts:
        assert attempt.kind == SpanKind.CLIENT
        assert attempt.parent is not None and attempt.parent.span_id == operation.context.span_id
        assert attempt.context.trace_id == handler.get_span_context().trace_id
        assert attempt.attributes is not None
        assert attempt.attributes["http.request.method"] == "GET"
        assert attempt.attributes["server.address"] == "127.0.0.1"
        assert attempt.attributes["server.port"] == port
        assert attempt.attributes["url.full"] == f"{mock.base_url}/projects/{ID}"
        assert attempt.attributes["url.template"] == "/v3/projects/{id}"
    first, second = sorted(attempts, key=lambda s: s.start_time or 0)
    assert first.attributes is not None and second.attributes is not None
    assert first.attributes["http.response.status_code"] == 503
    assert first.attributes["error.type"] == "503"
    assert first.status.status_code == StatusCode.ERROR
    assert "http.request.resend_count" not in first.attributes
    assert second.attributes["http.request.resend_count"] == 1
    assert second.attributes["http.response.status_code"] == 200
    assert second.status.status_code == StatusCode.UNSET
    assert operation.status.status_code == StatusCode.UNSET
    # The server received each attempt's own span context.
    seen = [r["headers"].get("traceparent") for r in mock.requests()]
    assert seen == [traceparent_of(first), traceparent_of(second)]


def test_a_failed_call_has_its_error_type_and_status(mock: Emulator, otel: InMemorySpanExporter) -> None:
    with ocus.Client(ALPHA, base_url=mock.base_url) as client, pytest.raises(ocus.NotFoundError):
        client.projects.get("no-such-project")
    [operation] = by_name(otel.get_finished_spans(), "projects.get")
    assert operation.status.status_code == StatusCode.ERROR
    assert operation.attributes is not None and operation.attributes["error.type"] == "404"
    assert operation.parent is None  # no span was current: a root


def test_a_listing_with_a_retried_page_shows_each_page_and_each_attempt(mock: Emulator, otel: InMemorySpanExporter) -> None:
    mock.faults({"path": "/v3/projects", "status": 503, "headers": {"retry-after": "0"}, "times": 1})
    tracer = trace.get_tracer("app")
    with ocus.Client(ALPHA, base_url=mock.base_url) as client, tracer.start_as_current_span("export"):
        projects = list(client.projects.list(page_size=100))
    assert len(projects) == 135
    spans = otel.get_finished_spans()
    operations = by_name(spans, "projects.list")
    attempts = by_name(spans, "GET /v3/projects")
    assert len(operations) == 2
    resent = [a for a in attempts if a.attributes and "http.request.resend_count" in a.attributes]
    assert len(attempts) == 2 + len(resent)
    for attempt in attempts:
        assert attempt.parent is not None and attempt.parent.span_id in {o.context.span_id for o in operations}


def test_asyncio_calls_are_children_of_the_tasks_span(mock: Emulator, otel: InMemorySpanExporter) -> None:
    tracer = trace.get_tracer("app")

    async def one(client: ocus.AsyncClient, name: str) -> int:
        with tracer.start_as_current_span(name) as span:
            await client.projects.get(ID)
            return span.get_span_context().span_id

    async def main() -> list[int]:
        async with ocus.AsyncClient(ALPHA, base_url=mock.base_url) as client:
            return list(await asyncio.gather(one(client, "a"), one(client, "b")))

    parents = asyncio.run(main())
    operations = by_name(otel.get_finished_spans(), "projects.get")
    assert sorted(o.parent.span_id for o in operations if o.parent) == sorted(parents)


def test_the_duration_histogram_follows_the_conventions(mock: Emulator, otel: InMemorySpanExporter) -> None:
    with ocus.Client(ALPHA, base_url=mock.base_url) as client:
        client.projects.get(ID)
    data = _reader.get_metrics_data()
    assert data is not None
    metrics_seen = [m for rm in data.resource_metrics for sm in rm.scope_metrics for m in sm.metrics
                    if sm.scope.name == "ocus"]
    [duration] = [m for m in metrics_seen if m.name == "http.client.request.duration"]
    assert duration.unit == "s"
    points = list(duration.data.data_points)
    ok = [p for p in points if p.attributes.get("http.response.status_code") == 200]
    assert ok and ok[0].count >= 1 and ok[0].sum > 0
    assert ok[0].attributes["http.request.method"] == "GET"
    assert ok[0].attributes["url.template"] == "/v3/projects/{id}"
    assert list(ok[0].explicit_bounds)[:3] == [0.005, 0.01, 0.025]


def test_no_exported_span_or_metric_carries_the_key(mock: Emulator, otel: InMemorySpanExporter) -> None:
    mock.faults({"status": 503, "headers": {"retry-after": "0"}, "times": 1})
    with ocus.Client(ALPHA, base_url=mock.base_url, default_headers={"x-tenant": "t1"}) as client:
        client.projects.get(ID)
        client.request("GET", "/projects", params={"page[size]": 1})
        with pytest.raises(ocus.AuthenticationError):
            with ocus.Client("sk_test_unknown_key", base_url=mock.base_url) as other:
                other.projects.get(ID)
    exported = json.dumps([json.loads(s.to_json()) for s in otel.get_finished_spans()])
    data = _reader.get_metrics_data()
    exported += data.to_json() if data is not None else ""
    assert len(exported) > 1000
    for secret in (ALPHA, "sk_test_unknown_key", "x-api-key", "x-tenant"):
        assert secret not in exported


def test_listed_headers_are_recorded_by_name_and_the_key_cannot_be(mock: Emulator, otel: InMemorySpanExporter) -> None:
    mock.faults({"path": f"/v3/projects/{ID}", "status": 503, "headers": {"retry-after": "0"}, "times": 1})
    with ocus.Client(
        ALPHA,
        base_url=mock.base_url,
        default_headers={"X-Tenant": "t1"},
        capture_request_headers=["x-tenant", "Accept"],
        capture_response_headers=["X-Request-Id", "retry-after"],
    ) as client:
        client.projects.get(ID)
    first, second = sorted(by_name(otel.get_finished_spans(), "GET /v3/projects/{id}"), key=lambda s: s.start_time or 0)
    for attempt in (first, second):
        assert attempt.attributes is not None
        assert attempt.attributes["http.request.header.x-tenant"] == ("t1",)
        assert attempt.attributes["http.request.header.accept"] == ("application/json",)
    assert first.attributes is not None and second.attributes is not None
    assert first.attributes["http.response.header.retry-after"] == ("0",)
    assert "http.response.header.retry-after" not in second.attributes
    request_ids = [a.attributes["http.response.header.x-request-id"] for a in (first, second) if a.attributes]
    assert len(request_ids) == 2 and all(len(v) == 1 and v[0].startswith("req_") for v in request_ids), request_ids
    exported = json.dumps([json.loads(s.to_json()) for s in otel.get_finished_spans()])
    assert ALPHA not in exported and "x-api-key" not in exported
    for listed in ({"capture_request_headers": ["X-API-Key"]}, {"capture_response_headers": "x-request-id, x-api-key"}):
        with pytest.raises(ocus.ConfigurationError, match="x-api-key is never recorded"):
            ocus.Client(ALPHA, base_url=mock.base_url, **listed)  # type: ignore[arg-type]


def test_the_environments_lists_apply_unless_the_option_is_given(mock: Emulator, otel: InMemorySpanExporter, monkeypatch: pytest.MonkeyPatch) -> None:
    # OpenTelemetry's variable, read by every client: a name it cannot take is skipped (with
    # a warning), never fatal, and never the key.
    monkeypatch.setenv("OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_CLIENT_RESPONSE", "X-Request-Id, x-api-key, x-(a|b)")
    with ocus.Client(ALPHA, base_url=mock.base_url) as client:
        client.projects.get(ID)
    with ocus.Client(ALPHA, base_url=mock.base_url, capture_response_headers=[]) as client:
        client.projects.get(ID)
    listed, unlisted = sorted(by_name(otel.get_finished_spans(), "GET /v3/projects/{id}"), key=lambda s: s.start_time or 0)
    assert listed.attributes is not None and unlisted.attributes is not None
    assert [k for k in listed.attributes if k.startswith("http.response.header.")] == ["http.response.header.x-request-id"]
    assert not [k for k in unlisted.attributes if k.startswith("http.response.header.")]


PROBE = """
import sys
{block}
import ocus
with ocus.Client("{key}", base_url="{base}") as client:
    client.projects.get("{id}")
print("ok")
"""


@pytest.mark.parametrize("block", ["", "sys.modules['opentelemetry'] = None  # the extra not installed"])
def test_without_a_provider_or_without_the_api_nothing_is_traced(mock: Emulator, block: str) -> None:
    probe = PROBE.format(block=block, key=ALPHA, base=mock.base_url, id=ID)
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert result.stdout.strip() == "ok", result.stderr
    assert [r["headers"].get("traceparent") for r in mock.requests()] == [None]
