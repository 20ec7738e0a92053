//! The one error type of the SDK and its table of kinds.
//!
//! Every binding maps [`ErrorKind`] mechanically to its native errors, so the kind string
//! ([`ErrorKind::as_str`]) is a public, stable contract.

use std::fmt;
use std::time::Duration;

/// How many bytes of an error body are kept on the error (the rest is dropped).
pub const MAX_KEPT_BODY_BYTES: usize = 8 * 1024;

/// What went wrong, as a stable snake_case name shared by every language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// 401: the key is missing or invalid.
    Unauthorized,
    /// 403: the key is revoked or expired.
    Forbidden,
    /// 400.
    InvalidRequest,
    /// 404.
    NotFound,
    /// 405.
    MethodNotAllowed,
    /// 409.
    Conflict,
    /// 429.
    RateLimited,
    /// 500 and any other 5xx except 503.
    ServerError,
    /// 503.
    ServiceUnavailable,
    /// Any other non-2xx status, including a redirect the client refused to follow.
    ApiError,
    /// DNS failure, connection refused or reset.
    Connection,
    /// Connect or total timeout.
    Timeout,
    /// A 2xx body that is not what was expected (or too large).
    Decode,
    /// No key, a malformed key, an insecure or malformed base URL, bad arguments.
    Configuration,
    /// A webhook signature that is missing, malformed or does not match.
    InvalidSignature,
    /// The caller cancelled the request (blocking entry points only).
    Cancelled,
    /// A bug in this library, caught at its boundary (a panic): not an API error, so code
    /// that handles API errors does not swallow it.
    Internal,
}

impl ErrorKind {
    /// Every kind, in table order.
    pub const ALL: [ErrorKind; 17] = [
        ErrorKind::Unauthorized,
        ErrorKind::Forbidden,
        ErrorKind::InvalidRequest,
        ErrorKind::NotFound,
        ErrorKind::MethodNotAllowed,
        ErrorKind::Conflict,
        ErrorKind::RateLimited,
        ErrorKind::ServerError,
        ErrorKind::ServiceUnavailable,
        ErrorKind::ApiError,
        ErrorKind::Connection,
        ErrorKind::Timeout,
        ErrorKind::Decode,
        ErrorKind::Configuration,
        ErrorKind::InvalidSignature,
        ErrorKind::Cancelled,
        ErrorKind::Internal,
    ];

    /// The stable name (`"forbidden"`, `"rate_limited"`...). For HTTP errors it is OCUS's
    /// documented error code.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Unauthorized => "unauthorized",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::InvalidRequest => "invalid_request",
            ErrorKind::NotFound => "not_found",
            ErrorKind::MethodNotAllowed => "method_not_allowed",
            ErrorKind::Conflict => "conflict",
            ErrorKind::RateLimited => "rate_limited",
            ErrorKind::ServerError => "server_error",
            ErrorKind::ServiceUnavailable => "service_unavailable",
            ErrorKind::ApiError => "api_error",
            ErrorKind::Connection => "connection",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Decode => "decode",
            ErrorKind::Configuration => "configuration",
            ErrorKind::InvalidSignature => "invalid_signature",
            ErrorKind::Cancelled => "cancelled",
            ErrorKind::Internal => "internal",
        }
    }

    /// The kind this one refines, if any: every HTTP kind refines `api_error`, a 503 is also
    /// a `server_error` and a timeout also a `connection` failure. Bindings build their class
    /// trees (and Go its `errors.Is` sentinels) from this, never from their own copy.
    pub const fn parent(self) -> Option<ErrorKind> {
        match self {
            ErrorKind::Unauthorized
            | ErrorKind::Forbidden
            | ErrorKind::InvalidRequest
            | ErrorKind::NotFound
            | ErrorKind::MethodNotAllowed
            | ErrorKind::Conflict
            | ErrorKind::RateLimited
            | ErrorKind::ServerError => Some(ErrorKind::ApiError),
            ErrorKind::ServiceUnavailable => Some(ErrorKind::ServerError),
            ErrorKind::Timeout => Some(ErrorKind::Connection),
            ErrorKind::ApiError
            | ErrorKind::Connection
            | ErrorKind::Decode
            | ErrorKind::Configuration
            | ErrorKind::InvalidSignature
            | ErrorKind::Cancelled
            | ErrorKind::Internal => None,
        }
    }

    /// True when `self` is `ancestor` or refines it (through [`parent`](Self::parent)).
    pub fn is_a(self, ancestor: ErrorKind) -> bool {
        let mut kind = Some(self);
        while let Some(k) = kind {
            if k == ancestor {
                return true;
            }
            kind = k.parent();
        }
        false
    }

    /// The one number of this kind: the C ABI's `OCUS_ERR_*` value and the CLI's exit status.
    /// 0 is success, 1 an internal error, 2 a usage error (the CLI's argument parser), and
    /// the other kinds start at 3.
    pub const fn code(self) -> u8 {
        match self {
            ErrorKind::Internal => 1,
            ErrorKind::Configuration => 3,
            ErrorKind::Unauthorized => 4,
            ErrorKind::Forbidden => 5,
            ErrorKind::InvalidRequest => 6,
            ErrorKind::NotFound => 7,
            ErrorKind::MethodNotAllowed => 8,
            ErrorKind::Conflict => 9,
            ErrorKind::RateLimited => 10,
            ErrorKind::ServerError => 11,
            ErrorKind::ServiceUnavailable => 12,
            ErrorKind::ApiError => 13,
            ErrorKind::Connection => 14,
            ErrorKind::Timeout => 15,
            ErrorKind::Decode => 16,
            ErrorKind::InvalidSignature => 17,
            ErrorKind::Cancelled => 18,
        }
    }

    /// The kind of a [`code`](Self::code).
    pub fn from_code(code: u8) -> Option<ErrorKind> {
        ErrorKind::ALL.into_iter().find(|k| k.code() == code)
    }

    /// One line saying when this kind happens (the docs of every language's class).
    pub const fn summary(self) -> &'static str {
        match self {
            ErrorKind::Unauthorized => "401: the API key is missing or invalid.",
            ErrorKind::Forbidden => "403: the API key is revoked or expired.",
            ErrorKind::InvalidRequest => "400: the request is invalid.",
            ErrorKind::NotFound => "404: no such resource.",
            ErrorKind::MethodNotAllowed => "405: the method is not allowed on this path.",
            ErrorKind::Conflict => "409: the request conflicts with the resource's state.",
            ErrorKind::RateLimited => "429: too many requests; see retry_after.",
            ErrorKind::ServerError => "500 and any other 5xx.",
            ErrorKind::ServiceUnavailable => "503: the service is unavailable.",
            ErrorKind::ApiError => "The server answered with a non-2xx status.",
            ErrorKind::Connection => {
                "The server could not be reached (DNS, refused, reset, TLS, certificate)."
            }
            ErrorKind::Timeout => "No complete response within the timeout.",
            ErrorKind::Decode => "A 2xx response whose body was not what was expected.",
            ErrorKind::Configuration => {
                "No key, a malformed key, an insecure or invalid base URL, or a bad argument."
            }
            ErrorKind::InvalidSignature => {
                "A webhook signature is missing, malformed or wrong (see code)."
            }
            ErrorKind::Cancelled => "The caller cancelled the request.",
            ErrorKind::Internal => "A bug in the ocus library (a caught panic): please report it.",
        }
    }

    /// Parses a stable name back into a kind.
    pub fn from_name(name: &str) -> Option<ErrorKind> {
        ErrorKind::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// The kind of a non-2xx HTTP status, per OCUS's error-code table.
    pub const fn from_status(status: u16) -> ErrorKind {
        match status {
            400 => ErrorKind::InvalidRequest,
            401 => ErrorKind::Unauthorized,
            403 => ErrorKind::Forbidden,
            404 => ErrorKind::NotFound,
            405 => ErrorKind::MethodNotAllowed,
            409 => ErrorKind::Conflict,
            429 => ErrorKind::RateLimited,
            503 => ErrorKind::ServiceUnavailable,
            500..=599 => ErrorKind::ServerError,
            _ => ErrorKind::ApiError,
        }
    }

    /// True for kinds that come from an HTTP response status (`api_error` and its children).
    pub const fn is_http(self) -> bool {
        match (self, self.parent()) {
            (ErrorKind::ApiError, _) => true,
            (_, Some(parent)) => parent.is_http(),
            (_, None) => false,
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An [`Error`]'s fields as data ([`Error::view`]).
#[derive(Debug, Clone, serde::Serialize)]
pub struct ErrorView<'a> {
    /// The stable kind name ([`ErrorKind::as_str`]).
    pub kind: &'static str,
    /// The kind, then each kind it refines ([`ErrorKind::parent`]): `service_unavailable`,
    /// `server_error`, `api_error`. A binding shows the error as the class of the first kind
    /// it has one for, else its base class: the one fallback rule, the same everywhere.
    pub kinds: Vec<&'static str>,
    /// The server's message, or the client's description.
    pub message: &'a str,
    /// The one-line description (`forbidden (403): ... [request id ...]`).
    pub display: String,
    /// The HTTP status, for HTTP errors.
    pub status: Option<u16>,
    /// The error code from the body, if any.
    pub code: Option<&'a str>,
    /// The response's request id, if any.
    pub request_id: Option<&'a str>,
    /// `Retry-After`, in seconds.
    pub retry_after: Option<f64>,
    /// The error body (truncated).
    pub body: Option<&'a str>,
    /// What caused it, outermost first ([`Error::causes`]).
    pub causes: Vec<String>,
}

/// The error of every fallible call in the SDK.
///
/// Ask it what happened with [`kind`](Error::kind), [`status`](Error::status),
/// [`message`](Error::message) and friends. It never holds the API key: messages are built
/// from server bodies, URLs without query strings, and our own text.
pub struct Error {
    inner: Box<Inner>,
}

struct Inner {
    kind: ErrorKind,
    message: String,
    status: Option<u16>,
    code: Option<String>,
    request_id: Option<String>,
    retry_after: Option<Duration>,
    body: Option<String>,
    source: Option<Box<dyn std::error::Error + Send + Sync>>,
}

impl Error {
    /// An error of `kind` with our own message (for bindings and tools reporting bad input
    /// the same way the SDK does).
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            inner: Box::new(Inner {
                kind,
                message: message.into(),
                status: None,
                code: None,
                request_id: None,
                retry_after: None,
                body: None,
                source: None,
            }),
        }
    }

    pub(crate) fn configuration(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Configuration, message)
    }

    /// What a binding returns when the library panicked under a call (caught at its boundary,
    /// so the caller gets an error instead of a crash or a call that never ends).
    pub fn panicked() -> Error {
        Error::new(
            ErrorKind::Internal,
            "internal error in the ocus library (panic)",
        )
    }

    /// A call on a closed client (bindings that free a closed client's resources before the
    /// handle goes answer later calls with it).
    pub fn client_closed() -> Error {
        Error::new(ErrorKind::Configuration, "the client is closed").with_code("client_closed")
    }

    pub(crate) fn decode(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Decode, message)
    }

    pub(crate) fn with_source(
        mut self,
        source: impl std::error::Error + Send + Sync + 'static,
    ) -> Error {
        self.inner.source = Some(Box::new(source));
        self
    }

    pub(crate) fn with_http(mut self, status: u16, request_id: Option<String>) -> Error {
        self.inner.status = Some(status);
        self.inner.request_id = request_id;
        self
    }

    pub(crate) fn with_code(mut self, code: impl Into<String>) -> Error {
        self.inner.code = Some(code.into());
        self
    }

    /// Builds the error for a non-2xx response from its status, headers and (bounded) body.
    pub(crate) fn from_response(
        status: u16,
        request_id: Option<String>,
        retry_after: Option<Duration>,
        body: &[u8],
    ) -> Error {
        let parsed = ErrorBody::parse(body);
        let kind = ErrorKind::from_status(status);
        let message = parsed
            .message
            .unwrap_or_else(|| default_message(status).to_string());
        let mut error = Error::new(kind, message);
        error.inner.status = Some(status);
        error.inner.code = parsed.code;
        error.inner.request_id = request_id;
        error.inner.retry_after = retry_after;
        error.inner.body = Some(truncate_lossy(body, MAX_KEPT_BODY_BYTES));
        error
    }

    /// The stable kind of this error.
    pub fn kind(&self) -> ErrorKind {
        self.inner.kind
    }

    /// The HTTP status, for errors that come from a response.
    pub fn status(&self) -> Option<u16> {
        self.inner.status
    }

    /// The server's message (for HTTP errors) or ours (for the others).
    pub fn message(&self) -> &str {
        &self.inner.message
    }

    /// The machine-readable error code the server put in the body, if any; for
    /// [`ErrorKind::InvalidSignature`], which check failed (`missing_signature`,
    /// `malformed_signature`, `signature_mismatch`); `client_closed` for a call on a closed
    /// client; `redirect_refused` for a refused cross-origin redirect.
    pub fn code(&self) -> Option<&str> {
        self.inner.code.as_deref()
    }

    /// The request id from the `x-request-id` (or `request-id`) response header.
    pub fn request_id(&self) -> Option<&str> {
        self.inner.request_id.as_deref()
    }

    /// How long the server asked us to wait (`Retry-After`), if it said.
    pub fn retry_after(&self) -> Option<Duration> {
        self.inner.retry_after
    }

    /// The raw response body, truncated to [`MAX_KEPT_BODY_BYTES`] and decoded lossily.
    pub fn body(&self) -> Option<&str> {
        self.inner.body.as_deref()
    }

    /// What caused this error, outermost first, one line each (for example the TLS failure
    /// under a connection error). Bindings hand it on in their idiom (`__cause__`, `cause`,
    /// `Unwrap`). URLs were stripped from the sources, so no line holds a query or the key.
    pub fn causes(&self) -> Vec<String> {
        let mut lines: Vec<String> = Vec::new();
        let mut current = std::error::Error::source(self);
        while let Some(error) = current {
            let line = error.to_string();
            if lines.last() != Some(&line) {
                lines.push(line);
            }
            current = error.source();
        }
        lines
    }

    /// Every field a binding hands on, serialisable as one JSON object (what crosses to a
    /// binding that takes results as JSON text).
    pub fn view(&self) -> ErrorView<'_> {
        ErrorView {
            kind: self.kind().as_str(),
            kinds: std::iter::successors(Some(self.kind()), |k| k.parent())
                .map(ErrorKind::as_str)
                .collect(),
            message: self.message(),
            display: self.to_string(),
            status: self.status(),
            code: self.code(),
            request_id: self.request_id(),
            retry_after: self.retry_after().map(|d| d.as_secs_f64()),
            body: self.body(),
            causes: self.causes(),
        }
    }

    /// True when the request timed out.
    pub fn is_timeout(&self) -> bool {
        self.inner.kind == ErrorKind::Timeout
    }

    /// True for errors carried by an HTTP response.
    pub fn is_http(&self) -> bool {
        self.inner.status.is_some()
    }
}

impl fmt::Debug for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("ocus::Error");
        d.field("kind", &self.inner.kind.as_str());
        if let Some(status) = self.inner.status {
            d.field("status", &status);
        }
        d.field("message", &self.inner.message);
        if let Some(code) = &self.inner.code {
            d.field("code", code);
        }
        if let Some(id) = &self.inner.request_id {
            d.field("request_id", id);
        }
        if let Some(ra) = self.inner.retry_after {
            d.field("retry_after", &ra);
        }
        if let Some(source) = &self.inner.source {
            d.field("source", &source.to_string());
        }
        d.finish()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.inner.status {
            Some(status) => write!(f, "{} ({status}): {}", self.inner.kind, self.inner.message)?,
            None => write!(f, "{}: {}", self.inner.kind, self.inner.message)?,
        }
        if let Some(id) = &self.inner.request_id {
            write!(f, " [request id {id}]")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.inner
            .source
            .as_ref()
            .map(|s| s.as_ref() as &(dyn std::error::Error + 'static))
    }
}

/// What could be read out of an error body. The format is not documented, so every shape
/// seen in OCUS's guides and in JSON:API is accepted.
#[derive(Debug, Default, PartialEq)]
struct ErrorBody {
    message: Option<String>,
    code: Option<String>,
}

impl ErrorBody {
    fn parse(body: &[u8]) -> ErrorBody {
        let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
            return ErrorBody::from_text(body);
        };
        let text = |v: &serde_json::Value| v.as_str().map(str::to_owned);
        let Some(object) = value.as_object() else {
            return ErrorBody::from_text(body);
        };
        let mut parsed = ErrorBody::default();
        match object.get("error") {
            // {"error": "text"}
            Some(serde_json::Value::String(s)) => parsed.message = Some(s.clone()),
            // {"error": {"code": ..., "message": ...}}
            Some(serde_json::Value::Object(inner)) => {
                parsed.message = inner.get("message").and_then(text);
                parsed.code = inner.get("code").and_then(text);
            }
            _ => {}
        }
        // {"errors": [{"code","title","detail"}]} (JSON:API)
        if parsed.message.is_none()
            && let Some(first) = object
                .get("errors")
                .and_then(|e| e.as_array())
                .and_then(|a| a.first())
        {
            parsed.message = first
                .get("detail")
                .and_then(text)
                .or_else(|| first.get("title").and_then(text));
            parsed.code = first.get("code").and_then(text);
        }
        // {"code": ..., "message": ...}
        if parsed.message.is_none() {
            parsed.message = object.get("message").and_then(text);
        }
        if parsed.code.is_none() {
            parsed.code = object.get("code").and_then(text);
        }
        parsed
    }

    fn from_text(body: &[u8]) -> ErrorBody {
        let text = String::from_utf8_lossy(body);
        let line = text.lines().map(str::trim).find(|l| !l.is_empty());
        ErrorBody {
            message: line.map(|l| truncate_chars(l, 200)),
            code: None,
        }
    }
}

fn default_message(status: u16) -> &'static str {
    match status {
        400 => "Bad request.",
        401 => "Unauthorized.",
        403 => "Forbidden.",
        404 => "Not found.",
        405 => "Method not allowed.",
        409 => "Conflict.",
        429 => "Too many requests.",
        500 => "Internal server error.",
        502 => "Bad gateway.",
        503 => "Service unavailable.",
        504 => "Gateway timeout.",
        300..=399 => "Redirect not followed.",
        _ => "Unexpected response status.",
    }
}

fn truncate_chars(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((idx, _)) => format!("{}…", &text[..idx]),
        None => text.to_owned(),
    }
}

pub(crate) fn truncate_lossy(bytes: &[u8], max_bytes: usize) -> String {
    let cut = &bytes[..bytes.len().min(max_bytes)];
    String::from_utf8_lossy(cut).into_owned()
}

/// A specialised `Result` for this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(body: &str) -> ErrorBody {
        ErrorBody::parse(body.as_bytes())
    }

    #[test]
    fn error_bodies_are_decoded_leniently() {
        assert_eq!(
            parse(r#"{"error": "Unauthorized. Please provide a valid API key."}"#).message,
            Some("Unauthorized. Please provide a valid API key.".into())
        );
        let nested = parse(r#"{"error": {"code": "conflict", "message": "Already exists"}}"#);
        assert_eq!(nested.code.as_deref(), Some("conflict"));
        assert_eq!(nested.message.as_deref(), Some("Already exists"));
        let flat = parse(r#"{"code": "rate_limited", "message": "Slow down"}"#);
        assert_eq!(flat.code.as_deref(), Some("rate_limited"));
        assert_eq!(flat.message.as_deref(), Some("Slow down"));
        let jsonapi = parse(r#"{"errors": [{"code": "invalid_request", "detail": "bad page"}]}"#);
        assert_eq!(jsonapi.code.as_deref(), Some("invalid_request"));
        assert_eq!(jsonapi.message.as_deref(), Some("bad page"));
        assert_eq!(
            parse("<html>\n  <h1>Bad Gateway</h1>").message.as_deref(),
            Some("<html>")
        );
        assert_eq!(parse(""), ErrorBody::default());
        assert_eq!(parse("[1,2]").message.as_deref(), Some("[1,2]"));
    }

    #[test]
    fn statuses_map_to_documented_kinds() {
        let table = [
            (400, "invalid_request"),
            (401, "unauthorized"),
            (403, "forbidden"),
            (404, "not_found"),
            (405, "method_not_allowed"),
            (409, "conflict"),
            (429, "rate_limited"),
            (500, "server_error"),
            (502, "server_error"),
            (503, "service_unavailable"),
            (418, "api_error"),
            (302, "api_error"),
        ];
        for (status, kind) in table {
            assert_eq!(ErrorKind::from_status(status).as_str(), kind, "{status}");
        }
        for kind in ErrorKind::ALL {
            assert_eq!(ErrorKind::from_name(kind.as_str()), Some(kind));
        }
    }

    #[test]
    fn the_view_lists_the_kind_then_the_kinds_it_refines() {
        let error = Error::from_response(503, None, None, b"");
        assert_eq!(
            error.view().kinds,
            ["service_unavailable", "server_error", "api_error"]
        );
        assert_eq!(Error::panicked().view().kinds, ["internal"]);
        let json = serde_json::to_value(error.view()).unwrap();
        assert_eq!(json["kinds"][2], "api_error");
    }

    #[test]
    fn kinds_have_one_code_and_a_tree() {
        let mut codes = std::collections::HashSet::new();
        for kind in ErrorKind::ALL {
            // 0 is success and 2 a usage error; 1 is the internal error's.
            assert!(
                kind.code() != 0 && kind.code() != 2,
                "{kind}: 0 and 2 are reserved"
            );
            assert_eq!(kind.code() == 1, kind == ErrorKind::Internal, "{kind}");
            assert!(codes.insert(kind.code()), "{kind}: duplicate code");
            assert_eq!(ErrorKind::from_code(kind.code()), Some(kind));
            assert_eq!(kind.is_http(), kind.is_a(ErrorKind::ApiError), "{kind}");
            assert!(kind.is_a(kind));
        }
        assert!(ErrorKind::ServiceUnavailable.is_a(ErrorKind::ServerError));
        assert!(ErrorKind::ServiceUnavailable.is_a(ErrorKind::ApiError));
        assert!(ErrorKind::Timeout.is_a(ErrorKind::Connection));
        assert!(!ErrorKind::Connection.is_a(ErrorKind::Timeout));
    }

    #[test]
    fn empty_body_falls_back_to_the_status_text() {
        let e = Error::from_response(503, Some("req_1".into()), None, b"");
        assert_eq!(e.kind(), ErrorKind::ServiceUnavailable);
        assert_eq!(e.message(), "Service unavailable.");
        assert_eq!(
            e.to_string(),
            "service_unavailable (503): Service unavailable. [request id req_1]"
        );
    }

    #[test]
    fn kept_body_is_bounded() {
        let big = vec![b'x'; MAX_KEPT_BODY_BYTES * 4];
        let e = Error::from_response(500, None, None, &big);
        assert_eq!(e.body().unwrap().len(), MAX_KEPT_BODY_BYTES);
        assert!(e.message().chars().count() <= 201);
    }
}
