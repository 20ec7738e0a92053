//! What one call may change: its query, body, timeout, retries and headers.

use std::time::Duration;

/// Per-request settings; `None` means the client's.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct RequestOptions {
    /// Query parameters, encoded by the client.
    pub query: Vec<(String, String)>,
    /// A JSON body.
    pub json: Option<serde_json::Value>,
    /// Time allowed for each attempt.
    pub timeout: Option<Duration>,
    /// Retries after the first attempt.
    pub max_retries: Option<u32>,
    /// Allow retries of a non-idempotent method (POST, PATCH). Off by default: the server
    /// might act twice.
    pub retry_non_idempotent: bool,
    /// Extra headers for this call (e.g. `traceparent`), after the client's default ones;
    /// checked before anything is sent (see [`ClientBuilder::default_header`]).
    ///
    /// [`ClientBuilder::default_header`]: crate::ClientBuilder::default_header
    pub headers: Vec<(String, String)>,
    /// The call's spans in the host's OpenTelemetry, when it has a tracer or meter set up
    /// (see [`telemetry`](crate::telemetry)); `None` costs nothing.
    pub trace: Option<crate::telemetry::Trace>,
}

impl RequestOptions {
    /// Empty options.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a query parameter.
    pub fn query(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((name.into(), value.into()));
        self
    }

    /// Sets the JSON body.
    pub fn json(mut self, body: serde_json::Value) -> Self {
        self.json = Some(body);
        self
    }

    /// Sets the per-attempt timeout.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sets the retry count.
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = Some(retries);
        self
    }

    /// Allows retrying a non-idempotent request.
    pub fn retry_non_idempotent(mut self, allow: bool) -> Self {
        self.retry_non_idempotent = allow;
        self
    }

    /// Reports this call's operation and attempts to `trace` (a binding's OpenTelemetry).
    pub fn trace(mut self, trace: std::sync::Arc<dyn crate::telemetry::CallTrace>) -> Self {
        self.trace = Some(crate::telemetry::Trace(trace));
        self
    }

    /// Adds a header to this call (`user-agent` extends the client's).
    pub fn header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }
}
