//! What the core tells a binding's OpenTelemetry about a call (`ocus::telemetry`), over real
//! HTTP against the emulator: the operation, each attempt (a retry is a resend), their
//! outcomes, the propagation headers the server receives, and never the key.
//!
//! The trace here plays a binding: it makes W3C trace context headers for each attempt the
//! way a host's propagator would, and records what the core reports.

mod support;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use ocus::telemetry::{
    AttemptEnded, AttemptStarted, CallTrace, OperationEnded, OperationStarted, PropagationFuture,
};
use serde_json::{Value, json};
use support::Emulator;

const KEY: &str = "sk_test_telemetry_key_9f8e7d";
const ID0: &str = "910a2dec-8902-4cc1-9758-35de1c9756ce";
const TRACE_ID: &str = "4bf92f3577b34da6a3ce929d0e0e4736";

#[derive(Default)]
struct Recorded {
    events: Vec<Value>,
    sent: Vec<String>,
}

/// A host's trace: every event as JSON, and a traceparent per attempt with its own span id.
#[derive(Default)]
struct HostTrace {
    recorded: Mutex<Recorded>,
    /// Also returned as a propagation header (the core must drop it).
    smuggle_key: bool,
}

impl HostTrace {
    fn events(&self) -> Vec<Value> {
        self.recorded.lock().unwrap().events.clone()
    }

    fn sent(&self) -> Vec<String> {
        self.recorded.lock().unwrap().sent.clone()
    }

    fn push(&self, kind: &str, event: impl serde::Serialize) {
        let mut value = serde_json::to_value(event).unwrap();
        value["event"] = json!(kind);
        self.recorded.lock().unwrap().events.push(value);
    }
}

impl CallTrace for HostTrace {
    fn operation_started(&self, operation: &OperationStarted) {
        self.push("operation_started", operation);
    }

    fn attempt_started(&self, attempt: &AttemptStarted) -> PropagationFuture {
        self.push("attempt_started", attempt);
        let mut recorded = self.recorded.lock().unwrap();
        let span = format!("{:016x}", 0xa0 + recorded.sent.len());
        let traceparent = format!("00-{TRACE_ID}-{span}-01");
        recorded.sent.push(traceparent.clone());
        let mut headers = vec![
            ("traceparent".to_owned(), traceparent),
            ("tracestate".to_owned(), "ocus=test".to_owned()),
        ];
        if self.smuggle_key {
            headers.push(("x-api-key".to_owned(), "sk_smuggled".to_owned()));
        }
        Box::pin(std::future::ready(headers))
    }

    fn attempt_ended(&self, attempt: &AttemptEnded) {
        self.push("attempt_ended", attempt);
    }

    fn operation_ended(&self, operation: &OperationEnded) {
        self.push("operation_ended", operation);
    }
}

fn client(emulator: &Emulator) -> ocus::Client {
    ocus::Client::builder()
        .api_key(KEY)
        .base_url(&emulator.base_url)
        .max_retries(2)
        .backoff(Duration::from_millis(1), Duration::from_millis(5))
        .build()
        .unwrap()
}

fn requests(emulator: &Emulator) -> Vec<Value> {
    let log: Value =
        serde_json::from_str(&emulator.admin("GET", "/__admin/requests", None)).unwrap();
    log["requests"].as_array().unwrap().clone()
}

fn kinds(events: &[Value]) -> Vec<&str> {
    events
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect()
}

#[tokio::test]
async fn a_retried_get_reports_each_attempt_and_sends_each_span_context() {
    let emulator = Emulator::with_key(KEY).await;
    emulator
        .post(
            "/__admin/faults",
            json!({"path": format!("/v3/projects/{ID0}"), "status": 503, "times": 1}),
        )
        .await;
    let trace = Arc::new(HostTrace::default());
    let options = ocus::RequestOptions::new().trace(trace.clone());
    let project = client(&emulator)
        .projects()
        .get_with(ID0, &options)
        .await
        .unwrap();
    assert_eq!(project.id, ID0);

    let events = trace.events();
    assert_eq!(
        kinds(&events),
        [
            "operation_started",
            "attempt_started",
            "attempt_ended",
            "attempt_started",
            "attempt_ended",
            "operation_ended"
        ]
    );
    let port = emulator.base_url.rsplit(':').next().unwrap();
    let port: i64 = port.trim_end_matches("/v3").parse().unwrap();
    assert_eq!(events[0]["name"], "projects.get");
    assert_eq!(events[1]["name"], "GET /v3/projects/{id}");
    let first: Vec<(String, Value)> =
        serde_json::from_value(events[1]["attributes"].clone()).unwrap();
    assert_eq!(
        first,
        vec![
            ("http.request.method".to_owned(), json!("GET")),
            ("server.address".to_owned(), json!("127.0.0.1")),
            ("server.port".to_owned(), json!(port)),
            ("url.template".to_owned(), json!("/v3/projects/{id}")),
            (
                "url.full".to_owned(),
                json!(format!("{}/projects/{ID0}", emulator.base_url))
            ),
        ]
    );
    assert_eq!(
        events[2]["attributes"],
        json!([["http.response.status_code", 503], ["error.type", "503"]])
    );
    assert_eq!(events[2]["error"], "503");
    assert!(
        events[2]["metric_attributes"]
            .as_array()
            .unwrap()
            .contains(&json!(["error.type", "503"]))
    );
    assert_eq!(
        events[3]["attributes"].as_array().unwrap().last().unwrap(),
        &json!(["http.request.resend_count", 1])
    );
    assert_eq!(
        events[4]["attributes"],
        json!([["http.response.status_code", 200]])
    );
    assert_eq!(events[4]["error"], Value::Null);
    assert_eq!(events[5]["error"], Value::Null);

    // The server saw each attempt's own span context, and the real key.
    let seen = requests(&emulator);
    assert_eq!(seen.len(), 2);
    let sent = trace.sent();
    for (request, traceparent) in seen.iter().zip(&sent) {
        assert_eq!(request["headers"]["traceparent"], json!(traceparent));
        assert_eq!(request["headers"]["tracestate"], "ocus=test");
        assert_eq!(request["key"], "alpha", "{request}");
    }
    assert_ne!(sent[0], sent[1]);
    assert!(
        !serde_json::to_string(&events).unwrap().contains(KEY),
        "the key is in a telemetry event"
    );
}

#[tokio::test]
async fn a_failed_call_says_why_and_a_propagator_cannot_replace_the_key() {
    let emulator = Emulator::with_key(KEY).await;
    let trace = Arc::new(HostTrace {
        smuggle_key: true,
        ..HostTrace::default()
    });
    let options = ocus::RequestOptions::new().trace(trace.clone());
    let error = client(&emulator)
        .projects()
        .get_with("no-such-project", &options)
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(404));
    let events = trace.events();
    let ended = events.last().unwrap();
    assert_eq!(ended["event"], "operation_ended");
    assert_eq!(ended["error"], "404");
    assert_eq!(ended["attributes"], json!([["error.type", "404"]]));
    let seen = requests(&emulator);
    assert_eq!(seen.len(), 1);
    assert_eq!(
        seen[0]["key"], "alpha",
        "the client's own key was sent: {}",
        seen[0]
    );
}

#[tokio::test]
async fn each_page_is_an_operation_and_a_raw_request_is_named_by_its_method() {
    let emulator = Emulator::with_key(KEY).await;
    let client = client(&emulator);
    let trace = Arc::new(HostTrace::default());
    let params = ocus::ListParams::new()
        .page_size(100)
        .options(ocus::RequestOptions::new().trace(trace.clone()));
    let mut pages = client.projects().pages(params);
    let mut count = 0;
    while let Some(page) = pages.next_page().await.unwrap() {
        count += page.data.len();
    }
    assert!(count > 100);
    let events = trace.events();
    let operations: Vec<&Value> = events
        .iter()
        .filter(|e| e["event"] == "operation_started")
        .collect();
    assert_eq!(operations.len(), 2, "one operation per page");
    assert!(operations.iter().all(|o| o["name"] == "projects.list"));
    assert_eq!(events[1]["name"], "GET /v3/projects");

    let trace = Arc::new(HostTrace::default());
    client
        .request_with_response(
            ocus::Method::GET,
            "/projects",
            ocus::RequestOptions::new()
                .query("page[size]", "1")
                .trace(trace.clone()),
        )
        .await
        .unwrap();
    let events = trace.events();
    assert_eq!(events[0]["name"], "request");
    assert_eq!(events[1]["name"], "GET");
    assert!(
        !events[1]["attributes"].to_string().contains("url.template"),
        "a raw request has no template"
    );
}

#[tokio::test]
async fn a_dropped_call_ends_its_spans_as_cancelled() {
    let emulator = Emulator::with_key(KEY).await;
    emulator
        .post(
            "/__admin/faults",
            json!({"path": "/v3/projects", "action": "hang", "times": 1}),
        )
        .await;
    let trace = Arc::new(HostTrace::default());
    let options = ocus::RequestOptions::new().trace(trace.clone());
    let client = client(&emulator);
    let projects = client.projects();
    let call = projects.get_with(ID0, &options);
    assert!(
        tokio::time::timeout(Duration::from_millis(300), call)
            .await
            .is_err()
    );
    let events = trace.events();
    assert_eq!(
        kinds(&events),
        [
            "operation_started",
            "attempt_started",
            "attempt_ended",
            "operation_ended"
        ]
    );
    assert_eq!(events[2]["error"], "cancelled");
    assert_eq!(events[3]["error"], "cancelled");
}

#[tokio::test]
async fn a_call_without_a_trace_sends_no_trace_context() {
    let emulator = Emulator::with_key(KEY).await;
    client(&emulator).projects().get(ID0).await.unwrap();
    let seen = requests(&emulator);
    assert_eq!(seen[0]["headers"].get("traceparent"), None);
}

#[tokio::test]
async fn listed_headers_are_recorded_on_each_attempt_and_the_key_never_is() {
    let emulator = Emulator::with_key(KEY).await;
    let client = ocus::Client::builder()
        .api_key(KEY)
        .base_url(&emulator.base_url)
        .default_header("X-Tenant", "north")
        .capture_request_headers(["x-tenant", "User-Agent", "accept", "x-absent"])
        .capture_response_headers(["X-Request-Id"])
        .build()
        .unwrap();
    let trace = Arc::new(HostTrace::default());
    let options = ocus::RequestOptions::new().trace(trace.clone());
    let error = client
        .projects()
        .get_with("no-such-project", &options)
        .await
        .unwrap_err();
    assert_eq!(error.status(), Some(404));
    let events = trace.events();
    let started = &events[1];
    assert_eq!(started["event"], "attempt_started");
    let attributes = started["attributes"].as_array().unwrap();
    let recorded = |name: &str| {
        attributes
            .iter()
            .find(|pair| pair[0] == name)
            .map(|pair| pair[1].clone())
    };
    assert_eq!(
        recorded("http.request.header.x-tenant"),
        Some(json!(["north"]))
    );
    assert_eq!(
        recorded("http.request.header.accept"),
        Some(json!(["application/json"]))
    );
    let user_agent = recorded("http.request.header.user-agent").unwrap();
    assert!(user_agent[0].as_str().unwrap().starts_with("ocus-rust/"));
    assert_eq!(recorded("http.request.header.x-absent"), None);
    // The failed attempt's response header, on the span only (not the histogram's).
    let ended = &events[2];
    assert_eq!(ended["event"], "attempt_ended");
    let response_header = ended["attributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|pair| pair[0] == "http.response.header.x-request-id")
        .unwrap_or_else(|| panic!("no x-request-id in {ended}"));
    assert_eq!(
        response_header[1][0].as_str(),
        error.request_id(),
        "the recorded id is the error's"
    );
    assert!(
        !ended["metric_attributes"]
            .to_string()
            .contains("x-request-id")
    );
    assert!(!events.iter().any(|e| e.to_string().contains(KEY)));

    // Listed by the builder, or as JSON options (a binding's), one string or a list.
    let refused = [
        ocus::Client::builder()
            .api_key(KEY)
            .capture_response_headers(["X-API-KEY"])
            .build()
            .unwrap_err(),
        ocus::Client::builder()
            .options(
                json!({"apiKey": KEY, "captureRequestHeaders": "x-tenant, x-api-key"})
                    .as_object()
                    .unwrap()
                    .clone(),
            )
            .and_then(ocus::ClientBuilder::build)
            .unwrap_err(),
    ];
    for error in refused {
        assert_eq!(error.kind(), ocus::ErrorKind::Configuration);
        assert!(
            error
                .message()
                .ends_with("x-api-key is never recorded (it carries the API key)"),
            "{}",
            error.message()
        );
    }
}
