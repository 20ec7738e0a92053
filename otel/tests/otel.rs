//! Spans and metrics of real calls to the emulator, read back from the SDK's in-memory
//! exporters: the structure under the caller's span, the conventions' attributes, a retry as a
//! resend, the trace context the server received, and never the key.

#[path = "../../core/tests/support/mod.rs"]
mod support;

use opentelemetry::trace::{FutureExt, SpanKind, Status, TraceContextExt, Tracer};
use opentelemetry::{Context, global};
use opentelemetry_sdk::metrics::data::{AggregatedMetrics, MetricData};
use opentelemetry_sdk::metrics::{InMemoryMetricExporter, PeriodicReader, SdkMeterProvider};
use opentelemetry_sdk::propagation::TraceContextPropagator;
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider, SpanData};
use serde_json::{Value, json};
use support::Emulator;

const KEY: &str = "sk_test_rust_otel_key_5c4b";
const ID0: &str = "910a2dec-8902-4cc1-9758-35de1c9756ce";

fn attribute(span: &SpanData, name: &str) -> Option<String> {
    span.attributes
        .iter()
        .find(|kv| kv.key.as_str() == name)
        .map(|kv| kv.value.to_string())
}

/// One test: the global providers are set once per process.
#[tokio::test]
async fn every_call_is_traced_under_the_callers_span() {
    let spans = InMemorySpanExporter::default();
    let tracer_provider = SdkTracerProvider::builder()
        .with_simple_exporter(spans.clone())
        .build();
    global::set_tracer_provider(tracer_provider.clone());
    let metrics = InMemoryMetricExporter::default();
    let meter_provider = SdkMeterProvider::builder()
        .with_reader(PeriodicReader::builder(metrics.clone()).build())
        .build();
    global::set_meter_provider(meter_provider.clone());
    global::set_text_map_propagator(TraceContextPropagator::new());

    let emulator = Emulator::with_key(KEY).await;
    let client = ocus::Client::builder()
        .api_key(KEY)
        .base_url(&emulator.base_url)
        .backoff(
            std::time::Duration::from_millis(1),
            std::time::Duration::from_millis(5),
        )
        .call_tracer(ocus_opentelemetry::OpenTelemetry::global())
        .capture_response_headers(["x-request-id"])
        .build()
        .unwrap();

    // A retried get, under the application's span.
    emulator
        .post(
            "/__admin/faults",
            json!({"path": format!("/v3/projects/{ID0}"), "status": 503, "times": 1}),
        )
        .await;
    let tracer = global::tracer("app");
    let handler = tracer.start("handler");
    let handler_context = Context::current_with_span(handler);
    client
        .projects()
        .get(ID0)
        .with_context(handler_context.clone())
        .await
        .unwrap();
    handler_context.span().end();
    // A failed call with no current span: a root.
    let error = client.projects().get("no-such-project").await.unwrap_err();
    assert_eq!(error.status(), Some(404));
    tracer_provider.force_flush().unwrap();

    let finished = spans.get_finished_spans().unwrap();
    let handler = finished.iter().find(|s| s.name == "handler").unwrap();
    let gets: Vec<&SpanData> = finished
        .iter()
        .filter(|s| s.name == "projects.get")
        .collect();
    assert_eq!(gets.len(), 2);
    let operation = gets
        .iter()
        .find(|s| s.parent_span_id == handler.span_context.span_id())
        .expect("the first get is a child of the handler's span");
    assert_eq!(operation.span_kind, SpanKind::Internal);
    let mut attempts: Vec<&SpanData> = finished
        .iter()
        .filter(|s| {
            s.name == "GET /v3/projects/{id}"
                && s.parent_span_id == operation.span_context.span_id()
        })
        .collect();
    attempts.sort_by_key(|s| s.start_time);
    assert_eq!(attempts.len(), 2);
    assert_eq!(attempts[0].span_kind, SpanKind::Client);
    assert_eq!(
        attribute(attempts[0], "http.response.status_code").as_deref(),
        Some("503")
    );
    assert_eq!(attribute(attempts[0], "error.type").as_deref(), Some("503"));
    let request_id = attempts[0]
        .attributes
        .iter()
        .find(|kv| kv.key.as_str() == "http.response.header.x-request-id")
        .map(|kv| kv.value.clone());
    assert!(
        matches!(&request_id, Some(opentelemetry::Value::Array(opentelemetry::Array::String(ids))) if ids.len() == 1 && ids[0].as_str().starts_with("req_")),
        "a listed response header is a list of strings: {request_id:?}"
    );
    assert!(matches!(attempts[0].status, Status::Error { .. }));
    assert_eq!(
        attribute(attempts[1], "http.request.resend_count").as_deref(),
        Some("1")
    );
    assert_eq!(
        attribute(attempts[1], "url.template").as_deref(),
        Some("/v3/projects/{id}")
    );
    assert_eq!(
        attribute(attempts[1], "url.full"),
        Some(format!("{}/projects/{ID0}", emulator.base_url))
    );
    assert_eq!(operation.status, Status::Unset);
    let failed = gets
        .iter()
        .find(|s| s.span_context != operation.span_context)
        .unwrap();
    assert_eq!(attribute(failed, "error.type").as_deref(), Some("404"));
    assert!(matches!(failed.status, Status::Error { .. }));

    // The server received each attempt's own context, in the handler's trace.
    let log: Value =
        serde_json::from_str(&emulator.admin("GET", "/__admin/requests", None)).unwrap();
    let sent: Vec<&str> = log["requests"]
        .as_array()
        .unwrap()
        .iter()
        .take(2)
        .map(|r| r["headers"]["traceparent"].as_str().unwrap())
        .collect();
    for (traceparent, attempt) in sent.iter().zip(&attempts) {
        let context = &attempt.span_context;
        assert_eq!(
            *traceparent,
            format!("00-{}-{}-01", context.trace_id(), context.span_id())
        );
        assert_eq!(context.trace_id(), handler.span_context.trace_id());
    }

    // The histogram, and no key anywhere.
    meter_provider.force_flush().unwrap();
    let exported = metrics.get_finished_metrics().unwrap();
    let duration = exported
        .iter()
        .flat_map(|r| r.scope_metrics())
        .filter(|s| s.scope().name() == "ocus")
        .flat_map(|s| s.metrics())
        .find(|m| m.name() == "http.client.request.duration")
        .expect("the duration histogram");
    assert_eq!(duration.unit(), "s");
    let AggregatedMetrics::F64(MetricData::Histogram(histogram)) = duration.data() else {
        panic!("a histogram of f64")
    };
    assert!(
        histogram.data_points().count() >= 3,
        "200, 503 and 404 attempts"
    );
    let everything = format!("{finished:?}{exported:?}");
    assert!(
        !everything.contains(KEY),
        "the key is in an exported span or metric"
    );
}
