"""OpenTelemetry for ocus calls (the ``otel`` extra: ``pip install ocus[otel]``).

The core describes each call (the operation, each HTTP attempt, their outcomes) with the span
names, attributes and error types of the OpenTelemetry semantic conventions for HTTP clients;
this module only hands that to the OpenTelemetry API: spans under the caller's current span,
the propagation headers of each attempt's span, the ``http.client.request.duration``
histogram. With no tracer or meter provider set up, calls are not traced at all.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple

from . import _ocus

try:
    from opentelemetry import context as _context
    from opentelemetry import metrics as _metrics
    from opentelemetry import propagate as _propagate
    from opentelemetry import trace as _trace
    from opentelemetry.metrics._internal import _ProxyMeterProvider
    from opentelemetry.trace import SpanKind, Status, StatusCode
except ImportError:  # the extra is not installed: the core never asks (begin is None)
    _trace = None  # type: ignore[assignment]

_NAMES: Dict[str, Any] = _ocus.TELEMETRY
_instruments: Optional[Tuple[Any, Any]] = None


def _tracer_and_histogram() -> Tuple[Any, Any]:
    global _instruments
    if _instruments is None:
        name, version = _NAMES["instrumentation_name"], _ocus.__version__
        meter = _metrics.get_meter(name, version)
        histogram = meter.create_histogram(
            _NAMES["duration_metric"],
            unit=_NAMES["duration_unit"],
            description=_NAMES["duration_description"],
            explicit_bucket_boundaries_advisory=_NAMES["duration_buckets"],
        )
        _instruments = (_trace.get_tracer(name, version), histogram)
    return _instruments


class CallTrace:
    """One call's spans, children of the context current where the call was made."""

    __slots__ = ("_parent", "_operation", "_operation_context", "_attempt")

    def __init__(self, parent: Any) -> None:
        self._parent = parent
        self._operation: Any = None
        self._operation_context: Any = parent
        self._attempt: Any = None

    def operation_started(self, name: str, attributes: Dict[str, Any]) -> None:
        tracer, _ = _tracer_and_histogram()
        self._operation = tracer.start_span(name, context=self._parent, kind=SpanKind.INTERNAL,
                                            attributes=attributes)
        self._operation_context = _trace.set_span_in_context(self._operation, self._parent)

    def attempt_started(self, name: str, attributes: Dict[str, Any]) -> List[Tuple[str, str]]:
        tracer, _ = _tracer_and_histogram()
        self._attempt = tracer.start_span(name, context=self._operation_context, kind=SpanKind.CLIENT,
                                          attributes=attributes)
        carrier: Dict[str, str] = {}
        _propagate.inject(carrier, context=_trace.set_span_in_context(self._attempt, self._parent))
        return list(carrier.items())

    def attempt_ended(self, attributes: Dict[str, Any], error: Optional[str], duration: float,
                      metric_attributes: Dict[str, Any]) -> None:
        _, histogram = _tracer_and_histogram()
        span, self._attempt = self._attempt, None
        if span is not None:
            span.set_attributes(attributes)
            if error is not None:
                span.set_status(Status(StatusCode.ERROR))
            span.end()
        histogram.record(duration, attributes=metric_attributes)

    def operation_ended(self, attributes: Dict[str, Any], error: Optional[str]) -> None:
        span, self._operation = self._operation, None
        self._operation_context = self._parent
        if span is not None:
            span.set_attributes(attributes)
            if error is not None:
                span.set_status(Status(StatusCode.ERROR, error))
            span.end()


def _configured() -> bool:
    """Whether the application set up a tracer or meter provider (the public check)."""
    return not (isinstance(_trace.get_tracer_provider(), _trace.ProxyTracerProvider)
                and isinstance(_metrics.get_meter_provider(), _ProxyMeterProvider))


def _begin() -> Optional[CallTrace]:
    """A trace for a call made now, or None when nothing would record it."""
    # The public getters read the environment on every call (1.8 us here, against a budget
    # of 1 us per call with nothing set up); the globals they fill are checked first.
    if _fast_check and _trace_globals._TRACER_PROVIDER is None and _metric_globals._METER_PROVIDER is None:
        return None
    if not _configured():
        return None
    return CallTrace(_context.get_current())


if _trace is not None:
    import os as _os
    from opentelemetry.metrics import _internal as _metric_globals
    from opentelemetry import trace as _trace_globals

    # Only where both globals exist and no provider is named in the environment (which the
    # getters would load on first use), so the fast check cannot miss a provider.
    _fast_check = (hasattr(_trace_globals, "_TRACER_PROVIDER") and hasattr(_metric_globals, "_METER_PROVIDER")
                   and not any(name in _os.environ for name in
                               ("OTEL_PYTHON_TRACER_PROVIDER", "OTEL_PYTHON_METER_PROVIDER")))


# The core calls this before each call; None when the API is not installed.
begin = _begin if _trace is not None else None
