//! OpenTelemetry for the [`ocus`] client: every call a span under the caller's current
//! context, one CLIENT span per HTTP attempt (a retry is a resend), the attempt's trace context
//! sent through the configured propagator, and the `http.client.request.duration` histogram.
//!
//! The core describes each call ([`ocus::telemetry`]: names, attributes, redaction, error
//! types, per the OpenTelemetry semantic conventions for HTTP clients); this crate only hands
//! the description to the `opentelemetry` API.
//!
//! ```no_run
//! # fn main() -> ocus::Result<()> {
//! // After the application installed its tracer and meter providers and propagator:
//! let client = ocus::Client::builder()
//!     .call_tracer(ocus_opentelemetry::OpenTelemetry::global())
//!     .build()?;
//! # Ok(()) }
//! ```
//! The parent of a call's spans is [`Context::current`] where the call is first polled (a
//! span entered with `Context::attach`, or a future run under `FutureExt::with_context`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use ocus::telemetry::{
    AttemptEnded, AttemptStarted, AttributeValue, Attributes, CallTrace, CallTracer,
    OperationEnded, OperationStarted, PropagationFuture,
};
use opentelemetry::global::{self, BoxedTracer};
use opentelemetry::metrics::Histogram;
use opentelemetry::trace::{SpanKind, Status, TraceContextExt, Tracer};
use opentelemetry::{Context, InstrumentationScope, KeyValue};

/// Makes each call's trace from the global tracer, meter and propagator.
pub struct OpenTelemetry {
    tracer: Arc<BoxedTracer>,
    histogram: Histogram<f64>,
}

impl OpenTelemetry {
    /// The instruments of the providers installed now (`global::set_tracer_provider`,
    /// `set_meter_provider`): install them before building the client.
    pub fn global() -> Arc<OpenTelemetry> {
        let scope = InstrumentationScope::builder(ocus::telemetry::INSTRUMENTATION_NAME)
            .with_version(env!("CARGO_PKG_VERSION"))
            .build();
        let histogram = global::meter_with_scope(scope.clone())
            .f64_histogram(ocus::telemetry::REQUEST_DURATION_METRIC)
            .with_unit(ocus::telemetry::REQUEST_DURATION_UNIT)
            .with_description(ocus::telemetry::REQUEST_DURATION_DESCRIPTION)
            .with_boundaries(ocus::telemetry::REQUEST_DURATION_BUCKETS.to_vec())
            .build();
        Arc::new(OpenTelemetry {
            tracer: Arc::new(global::tracer_with_scope(scope)),
            histogram,
        })
    }
}

impl CallTracer for OpenTelemetry {
    fn begin(&self) -> Option<Arc<dyn CallTrace>> {
        Some(Arc::new(CallSpans {
            parent: Context::current(),
            tracer: self.tracer.clone(),
            histogram: self.histogram.clone(),
            spans: Mutex::new(Spans::default()),
        }))
    }
}

/// One call's spans: the operation's context (its span inside) and the attempt's.
struct CallSpans {
    parent: Context,
    tracer: Arc<BoxedTracer>,
    histogram: Histogram<f64>,
    spans: Mutex<Spans>,
}

#[derive(Default)]
struct Spans {
    operation: Option<Context>,
    attempt: Option<Context>,
}

fn key_values(attributes: &Attributes) -> Vec<KeyValue> {
    attributes
        .iter()
        .map(|(name, value)| match value {
            AttributeValue::Text(text) => KeyValue::new(name.clone(), text.clone()),
            AttributeValue::Int(number) => KeyValue::new(name.clone(), *number),
            AttributeValue::TextList(values) => KeyValue::new(
                name.clone(),
                opentelemetry::Value::Array(opentelemetry::Array::String(
                    values.iter().map(|v| v.clone().into()).collect(),
                )),
            ),
        })
        .collect()
}

impl CallSpans {
    fn spans(&self) -> std::sync::MutexGuard<'_, Spans> {
        self.spans.lock().unwrap_or_else(|p| p.into_inner())
    }
}

impl CallTrace for CallSpans {
    fn operation_started(&self, operation: &OperationStarted) {
        let span = self
            .tracer
            .span_builder(operation.name)
            .with_kind(SpanKind::Internal)
            .with_attributes(key_values(&operation.attributes))
            .start_with_context(self.tracer.as_ref(), &self.parent);
        self.spans().operation = Some(self.parent.with_span(span));
    }

    fn attempt_started(&self, attempt: &AttemptStarted) -> PropagationFuture {
        let mut spans = self.spans();
        let parent = spans.operation.as_ref().unwrap_or(&self.parent);
        let span = self
            .tracer
            .span_builder(attempt.name.clone())
            .with_kind(SpanKind::Client)
            .with_attributes(key_values(&attempt.attributes))
            .start_with_context(self.tracer.as_ref(), parent);
        let context = self.parent.with_span(span);
        let mut carrier = HashMap::new();
        global::get_text_map_propagator(|propagator| {
            propagator.inject_context(&context, &mut carrier)
        });
        spans.attempt = Some(context);
        Box::pin(std::future::ready(carrier.into_iter().collect()))
    }

    fn attempt_ended(&self, attempt: &AttemptEnded) {
        if let Some(context) = self.spans().attempt.take() {
            let span = context.span();
            span.set_attributes(key_values(&attempt.attributes));
            if attempt.error.is_some() {
                span.set_status(Status::error(attempt.error.clone().unwrap_or_default()));
            }
            span.end();
        }
        self.histogram.record(
            attempt.duration.as_secs_f64(),
            &key_values(&attempt.metric_attributes),
        );
    }

    fn operation_ended(&self, operation: &OperationEnded) {
        if let Some(context) = self.spans().operation.take() {
            let span = context.span();
            span.set_attributes(key_values(&operation.attributes));
            if let Some(error) = &operation.error {
                span.set_status(Status::error(error.clone()));
            }
            span.end();
        }
    }
}
