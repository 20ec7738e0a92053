//! What a call looks like to OpenTelemetry, decided once for every language.
//!
//! The core describes each call: the operation (`projects.get`, `projects.list`, `request`),
//! then each HTTP attempt with its span name, its attributes per the OpenTelemetry semantic
//! conventions for HTTP clients, its outcome and its duration, and finally the operation's
//! outcome. A binding hands these descriptions to its language's OpenTelemetry API through a
//! [`CallTrace`] it attaches to a call ([`RequestOptions::trace`](crate::RequestOptions)):
//! it creates the spans (so they are children of the caller's current span in that
//! language), returns the propagation headers of each attempt's span, which the core sends,
//! and records the `http.client.request.duration` histogram. Span names, attribute names and
//! values, redaction and error types are decided here; a binding decides nothing.
//!
//! A call without a trace (no tracer or meter configured in the host) pays one `Option`
//! check per attempt.
//!
//! Never the key: the attributes carry no header unless the user lists it by name
//! ([`ClientBuilder::capture_request_headers`](crate::ClientBuilder::capture_request_headers)
//! and `capture_response_headers`, the conventions' `http.request.header.<name>` and
//! `http.response.header.<name>`), and `x-api-key` cannot be listed; `url.full` is redacted
//! per the conventions (credentials in the URL, and the values of the query parameters they
//! name as sensitive). Propagation headers a host returns are checked
//! like any per-call header: `X-API-KEY` and the headers the client sets are refused.

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderName};
use serde::Serialize;
use url::Url;

#[cfg(test)]
use crate::error::ErrorKind;
use crate::error::{Error, Result};

/// The instrumentation scope's name (the tracer's and the meter's).
pub const INSTRUMENTATION_NAME: &str = "ocus";
/// The metric every attempt is recorded in (seconds), as the conventions name it.
pub const REQUEST_DURATION_METRIC: &str = "http.client.request.duration";
/// Its unit.
pub const REQUEST_DURATION_UNIT: &str = "s";
/// Its description.
pub const REQUEST_DURATION_DESCRIPTION: &str = "Duration of HTTP client requests.";
/// The bucket boundaries the conventions advise for it (seconds).
pub const REQUEST_DURATION_BUCKETS: [f64; 14] = [
    0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0,
];
/// Query parameters whose values the conventions redact in `url.full`.
const SENSITIVE_QUERY_PARAMETERS: [&str; 4] =
    ["AWSAccessKeyId", "Signature", "sig", "X-Goog-Signature"];
const REDACTED: &str = "REDACTED";

/// The environment variable listing the request headers to record (comma-separated), read
/// when [`ClientBuilder::capture_request_headers`](crate::ClientBuilder::capture_request_headers)
/// is not given: the name OpenTelemetry's Python HTTP instrumentations read.
pub const ENV_CAPTURE_REQUEST_HEADERS: &str =
    "OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_CLIENT_REQUEST";
/// The same for response headers.
pub const ENV_CAPTURE_RESPONSE_HEADERS: &str =
    "OTEL_INSTRUMENTATION_HTTP_CAPTURE_HEADERS_CLIENT_RESPONSE";
/// The header that carries the key: never recorded, whatever is listed.
const KEY_HEADER: &str = crate::validate::API_KEY_HEADER;

/// One attribute value (the conventions' attributes are text, whole numbers, or lists of text
/// for headers).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum AttributeValue {
    /// Text.
    Text(String),
    /// A whole number.
    Int(i64),
    /// Text values in order (a header's values: `http.request.header.<name>`).
    TextList(Vec<String>),
}

/// An attribute's name: the conventions' fixed names, or a header's
/// (`http.request.header.x-request-id`).
pub type AttributeName = Cow<'static, str>;

/// Attributes in the order they are set.
pub type Attributes = Vec<(AttributeName, AttributeValue)>;

fn attribute(name: &'static str, value: AttributeValue) -> (AttributeName, AttributeValue) {
    (Cow::Borrowed(name), value)
}

/// The headers a client records on its attempts' spans, lower-case names, checked once when
/// the client is built.
#[derive(Debug, Clone, Default)]
pub(crate) struct CapturedHeaders {
    pub request: Arc<[HeaderName]>,
    pub response: Arc<[HeaderName]>,
}

/// The header names `option` lists (each trimmed, any case, empties skipped), checked: a
/// valid name, and never `x-api-key` (a configuration error saying why).
pub(crate) fn header_names<S: AsRef<str>>(option: &str, names: &[S]) -> Result<Arc<[HeaderName]>> {
    let mut checked: Vec<HeaderName> = Vec::new();
    for name in names {
        if let Some(header) = header_name(option, name.as_ref())?
            && !checked.contains(&header)
        {
            checked.push(header);
        }
    }
    Ok(checked.into())
}

/// The names an environment variable lists (comma-separated), as [`header_names`] checks them,
/// but one it refuses is skipped, not fatal: the variable is OpenTelemetry's, read by every
/// client in the process whether traced or not, and other instrumentations accept patterns
/// there (`x-.*`). Returns the names, and why each skipped one was.
pub(crate) fn listed_header_names(
    variable: &str,
    listed: &str,
) -> (Arc<[HeaderName]>, Vec<String>) {
    let mut checked: Vec<HeaderName> = Vec::new();
    let mut skipped = Vec::new();
    for name in listed.split(',') {
        match header_name(variable, name) {
            Ok(Some(header)) if !checked.contains(&header) => checked.push(header),
            Ok(_) => {}
            Err(error) => skipped.push(error.message().to_owned()),
        }
    }
    (checked.into(), skipped)
}

/// One listed name, lower case; `None` for an empty one.
fn header_name(option: &str, name: &str) -> Result<Option<HeaderName>> {
    let name = name.trim();
    if name.is_empty() {
        return Ok(None);
    }
    let header = HeaderName::from_bytes(name.to_ascii_lowercase().as_bytes()).map_err(|_| {
        Error::configuration(format!("{option}: {name:?} is not a valid header name"))
    })?;
    if header == KEY_HEADER {
        return Err(Error::configuration(format!(
            "{option}: {KEY_HEADER} is never recorded (it carries the API key)"
        )));
    }
    Ok(Some(header))
}

/// `http.request.header.<name>` / `http.response.header.<name>` for each listed header that
/// is present: all its values, in order, as text (bytes outside ASCII read as Latin-1).
fn header_attributes(prefix: &str, names: &[HeaderName], headers: &HeaderMap) -> Attributes {
    let mut attributes = Attributes::new();
    for name in names {
        let values: Vec<String> = headers
            .get_all(name)
            .iter()
            .map(|value| value.as_bytes().iter().map(|&b| char::from(b)).collect())
            .collect();
        if !values.is_empty() {
            attributes.push((
                Cow::Owned(format!("{prefix}{name}")),
                AttributeValue::TextList(values),
            ));
        }
    }
    attributes
}

fn text(value: impl Into<String>) -> AttributeValue {
    AttributeValue::Text(value.into())
}

/// An operation is starting: one span of kind INTERNAL, the parent of its attempts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OperationStarted {
    /// The span's name: `projects.get`, `projects.list` or `request`.
    pub name: &'static str,
    /// `server.address`, `server.port`.
    pub attributes: Attributes,
}

/// An attempt is about to be sent: one span of kind CLIENT, a child of the operation's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttemptStarted {
    /// `{method} {url.template}`, or `{method}` where there is no template (a raw request).
    pub name: String,
    /// `http.request.method`, `server.address`, `server.port`, `url.full` (redacted),
    /// `url.template` (typed calls), `http.request.resend_count` (from the second attempt).
    pub attributes: Attributes,
}

/// An attempt ended.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AttemptEnded {
    /// Set on the attempt's span: `http.response.status_code` when a response came,
    /// `error.type` when the attempt failed.
    pub attributes: Attributes,
    /// The span's status is ERROR with this description (the conventions' `error.type`):
    /// a status of 400 or more, or the kind of a failure without a response.
    pub error: Option<String>,
    /// The attempt's duration, for the histogram (in seconds, when serialised).
    #[serde(serialize_with = "seconds")]
    pub duration: Duration,
    /// The histogram's attributes: method, server, template, status, error type.
    pub metric_attributes: Attributes,
}

fn seconds<S: serde::Serializer>(duration: &Duration, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_f64(duration.as_secs_f64())
}

/// The operation ended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OperationEnded {
    /// `error.type` when the operation failed.
    pub attributes: Attributes,
    /// The span's status is ERROR with this description when the operation failed.
    pub error: Option<String>,
}

/// The propagation headers of an attempt's span (`traceparent`, `tracestate`...).
pub type Propagation = Vec<(String, String)>;
/// What [`CallTrace::attempt_started`] returns: the headers, now or once the host made them.
pub type PropagationFuture = Pin<Box<dyn Future<Output = Propagation> + Send>>;

/// A call's spans in the host language, made by a binding from the core's descriptions.
///
/// A binding creates one per call, on the caller's thread, where it can read the caller's
/// current span; the core calls it from wherever the call runs.
pub trait CallTrace: Send + Sync {
    /// The operation started.
    fn operation_started(&self, operation: &OperationStarted);
    /// An attempt is about to be sent; the headers returned are sent with it.
    fn attempt_started(&self, attempt: &AttemptStarted) -> PropagationFuture;
    /// The attempt ended (its span ends, its duration is recorded).
    fn attempt_ended(&self, attempt: &AttemptEnded);
    /// The operation ended (its span ends).
    fn operation_ended(&self, operation: &OperationEnded);
}

/// Makes a [`CallTrace`] for each call of a client that has no trace of its own
/// ([`ClientBuilder::call_tracer`](crate::ClientBuilder::call_tracer)): how a Rust
/// application's OpenTelemetry sees every call (the `ocus-opentelemetry` crate).
pub trait CallTracer: Send + Sync {
    /// The trace of an operation starting now, in the caller's context; `None`: not traced.
    fn begin(&self) -> Option<Arc<dyn CallTrace>>;
}

/// A client's [`CallTracer`] (printed by name only).
#[derive(Clone)]
pub(crate) struct Tracer(pub Arc<dyn CallTracer>);

impl std::fmt::Debug for Tracer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("CallTracer")
    }
}

/// A [`CallTrace`] in a call's options (cloned with them; printed by name only).
#[derive(Clone)]
pub struct Trace(pub Arc<dyn CallTrace>);

impl std::fmt::Debug for Trace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Trace")
    }
}

/// A call's events as they wait to cross to a host that takes them in batches (see
/// [`BatchedTrace`]; each crossing costs the host a scheduler turn or a callback): the core's
/// descriptions as JSON objects, each with `"event"` naming it and `"time"`, when it happened
/// (Unix nanoseconds), since the host replays it later.
#[derive(Debug, Default)]
pub struct PendingEvents(std::sync::Mutex<Vec<serde_json::Value>>);

impl PendingEvents {
    /// Adds the event `kind` (`operation_started`, `attempt_started`, `attempt_ended`,
    /// `operation_ended`) with its description.
    pub fn push(&self, kind: &str, description: impl Serialize) {
        let Ok(serde_json::Value::Object(mut event)) = serde_json::to_value(description) else {
            return;
        };
        event.insert("event".into(), kind.into());
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        event.insert("time".into(), (now.as_nanos() as u64).into());
        self.events().push(serde_json::Value::Object(event));
    }

    /// The waiting events, oldest first, as the JSON text of an array; none wait after.
    pub fn take_json(&self) -> String {
        serde_json::Value::Array(std::mem::take(&mut *self.events())).to_string()
    }

    fn events(&self) -> std::sync::MutexGuard<'_, Vec<serde_json::Value>> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A host that takes a call's events in batches ([`PendingEvents`]' JSON arrays): two
/// crossings per attempt at most, made by [`BatchedTrace`].
pub trait EventBatches: Send + Sync {
    /// The events ending with an `attempt_started`; returns the propagation headers of the
    /// attempt's span.
    fn attempt_started(&self, events: String) -> Propagation;
    /// The events ending with `operation_ended`, which need no answer.
    fn operation_ended(&self, events: String);
}

/// A [`CallTrace`] whose events wait in a [`PendingEvents`] and cross to the host in batches:
/// the ones up to an attempt's start with it, the rest when the operation ends (the C ABI's
/// callbacks, the JVM's foreign trait: each crossing costs the host more than a span).
#[derive(Debug)]
pub struct BatchedTrace<H> {
    host: H,
    pending: PendingEvents,
}

impl<H: EventBatches> BatchedTrace<H> {
    /// A trace that hands its events to `host`.
    pub fn new(host: H) -> Self {
        BatchedTrace {
            host,
            pending: PendingEvents::default(),
        }
    }
}

impl<H: EventBatches> CallTrace for BatchedTrace<H> {
    fn operation_started(&self, operation: &OperationStarted) {
        self.pending.push("operation_started", operation);
    }

    fn attempt_started(&self, attempt: &AttemptStarted) -> PropagationFuture {
        self.pending.push("attempt_started", attempt);
        let headers = self.host.attempt_started(self.pending.take_json());
        Box::pin(std::future::ready(headers))
    }

    fn attempt_ended(&self, attempt: &AttemptEnded) {
        self.pending.push("attempt_ended", attempt);
    }

    fn operation_ended(&self, operation: &OperationEnded) {
        self.pending.push("operation_ended", operation);
        self.host.operation_ended(self.pending.take_json());
    }
}

/// Which operation a call is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OperationName {
    /// `projects.get`.
    GetProject,
    /// `projects.list` (one page).
    ListProjects,
    /// A request on any path.
    Request,
}

impl OperationName {
    /// The span name.
    pub fn as_str(self) -> &'static str {
        match self {
            OperationName::GetProject => "projects.get",
            OperationName::ListProjects => "projects.list",
            OperationName::Request => "request",
        }
    }

    /// The path template below the base URL, where the operation has one.
    fn template(self) -> Option<&'static str> {
        match self {
            OperationName::GetProject => Some("/projects/{id}"),
            OperationName::ListProjects => Some("/projects"),
            OperationName::Request => None,
        }
    }
}

fn server(url: &Url) -> Attributes {
    let mut attributes = vec![attribute(
        "server.address",
        text(url.host_str().unwrap_or_default()),
    )];
    if let Some(port) = url.port_or_known_default() {
        attributes.push(attribute(
            "server.port",
            AttributeValue::Int(i64::from(port)),
        ));
    }
    attributes
}

/// The operation's start.
pub(crate) fn operation_started(operation: OperationName, base: &Url) -> OperationStarted {
    OperationStarted {
        name: operation.as_str(),
        attributes: server(base),
    }
}

/// `url.full` as the conventions want it recorded: no credentials, and no value of a
/// sensitive query parameter.
pub fn redacted_url(url: &Url) -> String {
    let mut url = url.clone();
    if !url.username().is_empty() || url.password().is_some() {
        // Cannot fail on a URL that has a user name.
        let _ = url.set_username(REDACTED);
        let _ = url.set_password(Some(REDACTED));
    }
    if url
        .query_pairs()
        .any(|(name, _)| SENSITIVE_QUERY_PARAMETERS.contains(&name.as_ref()))
    {
        let pairs: Vec<(String, String)> = url
            .query_pairs()
            .map(|(name, value)| {
                let value = if SENSITIVE_QUERY_PARAMETERS.contains(&name.as_ref()) {
                    REDACTED.to_owned()
                } else {
                    value.into_owned()
                };
                (name.into_owned(), value)
            })
            .collect();
        url.query_pairs_mut().clear().extend_pairs(pairs);
    }
    url.to_string()
}

/// The full template of an operation's path: the base URL's path, then the operation's.
fn url_template(operation: OperationName, base: &Url) -> Option<String> {
    operation
        .template()
        .map(|template| format!("{}{template}", base.path().trim_end_matches('/')))
}

/// What every attempt of a call shares: method, server, template, the headers to record.
pub(crate) struct AttemptContext {
    method: String,
    template: Option<String>,
    server: Attributes,
    captured: CapturedHeaders,
}

impl AttemptContext {
    pub(crate) fn new(
        operation: OperationName,
        method: &str,
        base: &Url,
        url: &Url,
        captured: &CapturedHeaders,
    ) -> Self {
        AttemptContext {
            method: method.to_owned(),
            template: url_template(operation, base),
            server: server(url),
            captured: captured.clone(),
        }
    }

    fn common(&self) -> Attributes {
        let mut attributes = vec![attribute("http.request.method", text(&self.method))];
        attributes.extend(self.server.iter().cloned());
        if let Some(template) = &self.template {
            attributes.push(attribute("url.template", text(template)));
        }
        attributes
    }

    /// Attempt `number` (from 1) of `url` is starting with `headers` (all but the key).
    pub(crate) fn started(&self, number: u32, url: &Url, headers: &HeaderMap) -> AttemptStarted {
        let mut attributes = self.common();
        attributes.push(attribute("url.full", text(redacted_url(url))));
        if number > 1 {
            attributes.push(attribute(
                "http.request.resend_count",
                AttributeValue::Int(i64::from(number - 1)),
            ));
        }
        attributes.extend(header_attributes(
            "http.request.header.",
            &self.captured.request,
            headers,
        ));
        let name = match &self.template {
            Some(template) => format!("{} {template}", self.method),
            None => self.method.clone(),
        };
        AttemptStarted { name, attributes }
    }

    /// The listed response headers of a response (empty when none is listed).
    pub(crate) fn response_headers(&self, headers: &HeaderMap) -> Attributes {
        header_attributes("http.response.header.", &self.captured.response, headers)
    }

    /// The attempt ended with `status` (a response) or `error` (none, or an error status);
    /// `response_headers` are the listed response headers it came with (span only).
    pub(crate) fn ended(
        &self,
        status: Option<u16>,
        error: Option<&Error>,
        duration: Duration,
        response_headers: Attributes,
    ) -> AttemptEnded {
        let error_type = error.map(|error| error_type(status, error));
        let mut outcome = Attributes::new();
        if let Some(status) = status {
            outcome.push(attribute(
                "http.response.status_code",
                AttributeValue::Int(i64::from(status)),
            ));
        }
        if let Some(error_type) = &error_type {
            outcome.push(attribute("error.type", text(error_type)));
        }
        let mut metric_attributes = self.common();
        metric_attributes.extend(outcome.iter().cloned());
        outcome.extend(response_headers);
        AttemptEnded {
            attributes: outcome,
            error: error_type,
            duration,
            metric_attributes,
        }
    }
}

/// The conventions' `error.type`: the status code as text for a response of 400 or more,
/// else the failure's kind (`timeout`, `connection`...), never a message.
fn error_type(status: Option<u16>, error: &Error) -> String {
    match status {
        Some(status) if status >= 400 => status.to_string(),
        _ => error.kind().as_str().to_owned(),
    }
}

/// The operation ended with `error`, if it failed.
pub(crate) fn operation_ended(error: Option<&Error>) -> OperationEnded {
    let error_type = error.map(|error| error_type(error.status(), error));
    OperationEnded {
        attributes: error_type
            .iter()
            .map(|t| attribute("error.type", text(t)))
            .collect(),
        error: error_type,
    }
}

/// Propagation headers as a call's headers, each checked like a caller's (so never
/// `X-API-KEY`); one that fails the check is dropped, and so is one the caller set on the
/// call or the client (a `traceparent` given by hand is sent as given).
pub(crate) fn checked_propagation(
    propagation: Propagation,
    set: &reqwest::header::HeaderMap,
) -> Vec<(reqwest::header::HeaderName, reqwest::header::HeaderValue)> {
    propagation
        .into_iter()
        .filter_map(|(name, value)| crate::validate::header("propagation", &name, &value).ok())
        .filter(|(name, _)| !set.contains_key(name))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(text: &str) -> Url {
        Url::parse(text).unwrap()
    }

    #[test]
    fn url_full_carries_no_credentials_nor_sensitive_query_values() {
        assert_eq!(
            redacted_url(&url("https://user:secret@api.ocus.io/v3/projects?page=2")),
            "https://REDACTED:REDACTED@api.ocus.io/v3/projects?page=2"
        );
        assert_eq!(
            redacted_url(&url("https://api.ocus.io/v3/x?sig=abc&a=1&Signature=def")),
            "https://api.ocus.io/v3/x?sig=REDACTED&a=1&Signature=REDACTED"
        );
        assert_eq!(
            redacted_url(&url("https://api.ocus.io/v3/projects/p%201")),
            "https://api.ocus.io/v3/projects/p%201"
        );
    }

    #[test]
    fn attempts_are_named_and_described_by_the_conventions() {
        let base = url("https://api.ocus.io/v3");
        let target = url("https://api.ocus.io/v3/projects/p1");
        let none = CapturedHeaders::default();
        let attempt = AttemptContext::new(OperationName::GetProject, "GET", &base, &target, &none);
        let headers = HeaderMap::new();
        let first = attempt.started(1, &target, &headers);
        assert_eq!(first.name, "GET /v3/projects/{id}");
        assert_eq!(
            first.attributes,
            vec![
                attribute("http.request.method", text("GET")),
                attribute("server.address", text("api.ocus.io")),
                attribute("server.port", AttributeValue::Int(443)),
                attribute("url.template", text("/v3/projects/{id}")),
                attribute("url.full", text("https://api.ocus.io/v3/projects/p1")),
            ]
        );
        let second = attempt.started(2, &target, &headers);
        assert_eq!(
            second.attributes.last(),
            Some(&attribute(
                "http.request.resend_count",
                AttributeValue::Int(1)
            ))
        );
        let raw = AttemptContext::new(OperationName::Request, "POST", &base, &target, &none);
        assert_eq!(raw.started(1, &target, &headers).name, "POST");
    }

    #[test]
    fn error_type_is_the_status_or_the_kind() {
        let base = url("http://127.0.0.1:8080/v3");
        let attempt = AttemptContext::new(
            OperationName::ListProjects,
            "GET",
            &base,
            &base,
            &CapturedHeaders::default(),
        );
        let unavailable = Error::from_response(503, None, None, b"{}");
        let ended = attempt.ended(
            Some(503),
            Some(&unavailable),
            Duration::from_millis(5),
            Attributes::new(),
        );
        assert_eq!(ended.error.as_deref(), Some("503"));
        assert_eq!(
            ended.attributes,
            vec![
                attribute("http.response.status_code", AttributeValue::Int(503)),
                attribute("error.type", text("503")),
            ]
        );
        assert!(
            ended
                .metric_attributes
                .contains(&attribute("server.port", AttributeValue::Int(8080)))
        );
        let timeout = Error::new(ErrorKind::Timeout, "no complete response");
        let ended = attempt.ended(None, Some(&timeout), Duration::from_secs(1), Vec::new());
        assert_eq!(
            ended.attributes,
            vec![attribute("error.type", text("timeout"))]
        );
        let ok = attempt.ended(Some(200), None, Duration::from_millis(1), Vec::new());
        assert_eq!(ok.error, None);
        assert_eq!(
            operation_ended(Some(&unavailable)).error.as_deref(),
            Some("503")
        );
    }

    #[test]
    fn listed_headers_are_recorded_by_the_conventions_names_and_never_the_key() {
        let captured = CapturedHeaders {
            request: header_names("capture_request_headers", &[" X-Tenant ", "", "accept"])
                .unwrap(),
            response: header_names(
                "capture_response_headers",
                &["x-request-id", "X-Request-Id"],
            )
            .unwrap(),
        };
        assert_eq!(captured.response.len(), 1);
        let base = url("https://api.ocus.io/v3");
        let attempt =
            AttemptContext::new(OperationName::ListProjects, "GET", &base, &base, &captured);
        let mut sent = HeaderMap::new();
        sent.append("x-tenant", "a".parse().unwrap());
        sent.append("x-tenant", "b".parse().unwrap());
        sent.insert("user-agent", "ocus-rust/0.1.0".parse().unwrap());
        let started = attempt.started(1, &base, &sent);
        assert_eq!(
            started.attributes.last(),
            Some(&(
                Cow::Borrowed("http.request.header.x-tenant"),
                AttributeValue::TextList(vec!["a".into(), "b".into()])
            ))
        );
        assert!(
            !started
                .attributes
                .iter()
                .any(|(name, _)| name.contains("user-agent") || name.contains("accept"))
        );
        let mut received = HeaderMap::new();
        received.insert("x-request-id", "req-1".parse().unwrap());
        let ended = attempt.ended(
            Some(200),
            None,
            Duration::from_millis(1),
            attempt.response_headers(&received),
        );
        assert_eq!(
            ended.attributes.last(),
            Some(&(
                Cow::Borrowed("http.response.header.x-request-id"),
                AttributeValue::TextList(vec!["req-1".into()])
            ))
        );
        assert!(
            !ended
                .metric_attributes
                .iter()
                .any(|(name, _)| name.starts_with("http.response.header."))
        );
        for listed in ["X-API-KEY", " x-api-key"] {
            let refused = header_names("capture_request_headers", &[listed]).unwrap_err();
            assert_eq!(
                refused.message(),
                "capture_request_headers: x-api-key is never recorded (it carries the API key)"
            );
        }
        let invalid = header_names("capture_response_headers", &["bad header"]).unwrap_err();
        assert_eq!(
            invalid.message(),
            "capture_response_headers: \"bad header\" is not a valid header name"
        );
    }

    #[test]
    fn pending_events_cross_in_order_with_their_time_and_once() {
        let pending = PendingEvents::default();
        let base = url("https://api.ocus.io/v3");
        pending.push(
            "operation_started",
            operation_started(OperationName::ListProjects, &base),
        );
        pending.push("operation_ended", operation_ended(None));
        let events: serde_json::Value = serde_json::from_str(&pending.take_json()).unwrap();
        let events = events.as_array().unwrap();
        assert_eq!(events[0]["event"], "operation_started");
        assert_eq!(events[0]["name"], "projects.list");
        assert_eq!(events[1]["event"], "operation_ended");
        let (first, second) = (
            events[0]["time"].as_u64().unwrap(),
            events[1]["time"].as_u64().unwrap(),
        );
        assert!(first > 1_700_000_000_000_000_000 && second >= first);
        assert_eq!(pending.take_json(), "[]");
    }

    #[test]
    fn propagation_never_sets_the_key_header() {
        let mut set = reqwest::header::HeaderMap::new();
        set.insert("tracestate", "given=by-hand".parse().unwrap());
        let headers = checked_propagation(
            vec![
                (
                    "traceparent".into(),
                    "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01".into(),
                ),
                ("X-API-KEY".into(), "stolen".into()),
                ("tracestate".into(), "from=propagator".into()),
            ],
            &set,
        );
        assert_eq!(headers.len(), 1);
        assert_eq!(headers[0].0, "traceparent");
    }
}
