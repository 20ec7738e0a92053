"""The spans of a listing, printed to the console (`pip install ocus[otel] opentelemetry-sdk`).

Every ocus call is an INTERNAL span (`projects.list`, `projects.get`, `request`) under your
current span, with one CLIENT span per HTTP attempt (a retry shows as a resend); each attempt's
`traceparent` is sent to the API.
"""

from __future__ import annotations

from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import ConsoleSpanExporter, SimpleSpanProcessor

import ocus


def one_line(span: ReadableSpan) -> str:
    parent = f"{span.parent.span_id:016x}" if span.parent else "-"
    attributes = ", ".join(f"{k}={v!r}" for k, v in (span.attributes or {}).items())
    return f"{span.name} [{span.kind.name}] span {span.context.span_id:016x} parent {parent}: {attributes}\n"


provider = TracerProvider()
provider.add_span_processor(SimpleSpanProcessor(ConsoleSpanExporter(formatter=one_line)))
trace.set_tracer_provider(provider)

tracer = trace.get_tracer("example")
with ocus.Client() as client, tracer.start_as_current_span("export-projects"):
    projects = list(client.projects.list(page_size=100))
print(f"{len(projects)} projects")
