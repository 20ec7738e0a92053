//! The native library behind the JVM package `io.ocus:ocus` (uniffi, loaded through JNA). It
//! translates; the core decides.
//!
//! Options go in as the JSON object every binding hands the core (`ocus::options`), results come
//! out as the core's views serialised once (the one wire shape of every binding), errors as one
//! [`NativeError`] carrying the core's kind, which the Kotlin layer (`io.ocus.OcusException`)
//! turns into the matching exception class. uniffi generates `io.ocus.internal` from this file.

// uniffi lowers the error by value into a Kotlin exception; it is built only on failure.
#![allow(clippy::result_large_err)]

use std::collections::HashMap;
use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, LazyLock, Mutex};

use ocus::completion::Completions;
use ocus::handle::{CallPath, ClientHandle, CursorHandle};

use serde_json::{Map, Value};
use tokio::task::AbortHandle;
use zeroize::Zeroize;

uniffi::setup_scaffolding!();

/// A core error as data; `io.ocus.OcusException.from` picks the class from `kind`.
#[derive(Debug, uniffi::Error)]
pub enum NativeError {
    /// The only variant: uniffi maps an error enum to a sealed exception class.
    Failure {
        /// The stable kind name (`forbidden`, `timeout`...).
        kind: String,
        /// The server's message, or the client's description (not `message`: uniffi's
        /// Kotlin exception has a `message` of its own).
        detail: String,
        /// The core's one-line description (`forbidden (403): ... [request id ...]`).
        display: String,
        /// The HTTP status, for HTTP errors.
        status: Option<u16>,
        /// The error code from the body, if any.
        code: Option<String>,
        /// The response's request id, if any.
        request_id: Option<String>,
        /// `Retry-After`, in seconds.
        retry_after_seconds: Option<f64>,
        /// The error body (truncated by the core).
        body: Option<String>,
        /// What caused it, outermost first.
        causes: Vec<String>,
    },
}

impl std::fmt::Display for NativeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let NativeError::Failure { display, .. } = self;
        f.write_str(display)
    }
}

impl std::error::Error for NativeError {}

impl From<ocus::Error> for NativeError {
    fn from(error: ocus::Error) -> Self {
        NativeError::Failure {
            kind: error.kind().as_str().to_owned(),
            detail: error.message().to_owned(),
            display: error.to_string(),
            status: error.status(),
            code: error.code().map(str::to_owned),
            request_id: error.request_id().map(str::to_owned),
            retry_after_seconds: error.retry_after().map(|d| d.as_secs_f64()),
            body: error.body().map(str::to_owned),
            causes: error.causes(),
        }
    }
}

type Outcome<T> = Result<T, NativeError>;

/// A call's result (a project or page view, or a request's JSON) and its response's view
/// (status, headers, request id), each as JSON text parsed by the Kotlin layer.
#[derive(uniffi::Record)]
pub struct JsonData {
    /// The view, as JSON.
    pub value: String,
    /// The response's view as JSON (`null` for a page met while iterating).
    pub response: String,
}

fn json(value: &impl serde::Serialize) -> ocus::Result<String> {
    serde_json::to_string(value)
        .map_err(|e| ocus::Error::new(ocus::ErrorKind::Decode, e.to_string()))
}

/// `view` (a project's or a page's) as JSON, its response apart.
fn with_response<'a, V: serde::Serialize>(
    mut view: V,
    response: impl FnOnce(&mut V) -> Option<ocus::ResponseView<'a>>,
) -> ocus::Result<JsonData> {
    let response = response(&mut view);
    Ok(JsonData {
        response: json(&response)?,
        value: json(&view)?,
    })
}

/// Options as JSON text, parsed into the object the core validates. The text is wiped once
/// parsed: it may hold the key.
fn options(mut text: String) -> ocus::Result<Map<String, Value>> {
    let parsed = if text.trim().is_empty() {
        Ok(Map::new())
    } else {
        serde_json::from_str::<Map<String, Value>>(&text).map_err(|e| {
            ocus::Error::new(
                ocus::ErrorKind::Configuration,
                format!("the options are not a JSON object: {e}"),
            )
        })
    };
    text.zeroize();
    parsed
}

// ---- started calls: one crossing for every suspending call ----------------------------------

/// A started call's outcome, taken by the Kotlin layer's completion thread
/// (`io.ocus.Crossing`) in batches.
#[derive(uniffi::Record)]
pub struct Completion {
    /// The ticket the Kotlin layer started the call with.
    pub ticket: u64,
    /// The call's view as JSON (`null` for a cursor's end, and on failure).
    pub value: Option<String>,
    /// The response's view as JSON, for calls that return one.
    pub response: Option<String>,
    /// The failure, if the call failed.
    pub error: Option<NativeError>,
}

/// What a started call delivers: its view and response as JSON, or the failure.
type Finished = Result<(Option<String>, Option<String>), NativeError>;

/// The process's started calls: results wait in one queue that the Kotlin layer's completion
/// thread takes in batches, and each running call can be aborted by its ticket.
struct Crossing {
    queue: Arc<Completions<Finished>>,
    running: Mutex<HashMap<u64, AbortHandle>>,
}

static CROSSING: LazyLock<Crossing> = LazyLock::new(|| Crossing {
    queue: Arc::new(Completions::waitable()),
    running: Mutex::new(HashMap::new()),
});

impl Crossing {
    /// Starts `call` on the process runtime; its outcome is delivered as `ticket`.
    fn start<F>(&self, ticket: u64, call: F) -> Outcome<()>
    where
        F: Future<Output = ocus::Result<(Option<String>, Option<String>)>> + Send + 'static,
    {
        // Held across the start, so a call that finishes at once is forgotten by `wait` after
        // it is recorded here, never before.
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        let abort = self
            .queue
            .start(ticket, None, call, |r| r.map_err(NativeError::from))?;
        running.insert(ticket, abort);
        Ok(())
    }
}

/// Blocks until started calls finish, then returns every finished one (the Kotlin layer's
/// completion thread calls it in a loop: one crossing per batch, not one per call).
#[uniffi::export]
pub fn wait_for_completions() -> Vec<Completion> {
    let finished = CROSSING.queue.wait(None);
    let mut running = CROSSING.running.lock().unwrap_or_else(|p| p.into_inner());
    finished
        .into_iter()
        .map(|(ticket, result)| {
            running.remove(&ticket);
            match result {
                Ok((value, response)) => Completion {
                    ticket,
                    value,
                    response,
                    error: None,
                },
                Err(error) => Completion {
                    ticket,
                    value: None,
                    response: None,
                    error: Some(error),
                },
            }
        })
        .collect()
}

/// Stops a started call (its coroutine was cancelled): the request is dropped and its
/// connection closed, and nothing is delivered. A call already finished is left alone.
#[uniffi::export]
pub fn cancel_call(ticket: u64) {
    let aborted = CROSSING
        .running
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .remove(&ticket);
    if let Some(abort) = aborted {
        abort.abort();
    }
}

/// A call's view and response, as a started call delivers them.
fn started(data: JsonData) -> (Option<String>, Option<String>) {
    (Some(data.value), Some(data.response))
}

/// Runs `future` on the calling thread (Java's blocking methods), on the core's caller-driven
/// runtime: no hand-off to another thread and back. Only its timeout or the client's `close`
/// stops it (a Java interrupt does not reach native code). A panic becomes the core's error.
fn blocking<T>(future: impl Future<Output = ocus::Result<T>>) -> Outcome<T> {
    std::panic::catch_unwind(AssertUnwindSafe(|| ocus::runtime::block_on(future)))
        .unwrap_or_else(|_| Ok(Err(ocus::Error::panicked())))?
        .map_err(NativeError::from)
}

// ---- logs: the core's events handed to the JVM ------------------------------------------------

/// Receives a client's log events (as JSON objects) on the thread the request runs on; the
/// Kotlin layer passes them to `System.Logger` "ocus".
#[uniffi::export(with_foreign)]
pub trait NativeLogger: Send + Sync {
    /// One event: `{"level", "message", "method", "path", "status", ...}`.
    fn log(&self, event: String);
}

struct JvmLogSink(Arc<dyn NativeLogger>);

impl ocus::LogSink for JvmLogSink {
    fn log(&self, event: &ocus::LogEvent) {
        if let Ok(event) = serde_json::to_string(event) {
            self.0.log(event);
        }
    }
}

// ---- the client -------------------------------------------------------------------------------

/// A client. `shut_down` drops the core clients at once (their pools close their sockets now,
/// not when the JVM collects this object); later calls get the core's `client_closed` error.
#[derive(uniffi::Object)]
pub struct NativeClient {
    handle: ClientHandle,
}

#[uniffi::export]
impl NativeClient {
    /// Builds a client from the options object as JSON text (the core parses and validates it);
    /// missing options come from OCUS_API_KEY / OCUS_API_KEY_FILE / OCUS_BASE_URL /
    /// OCUS_CA_BUNDLE / OCUS_LOG. `logger` receives the events the client's level lets through.
    #[uniffi::constructor]
    pub fn new(
        options_json: String,
        logger: Option<Arc<dyn NativeLogger>>,
    ) -> Outcome<Arc<NativeClient>> {
        let mut builder = ocus::Client::builder()
            .from_env()
            .user_agent(format!("ocus-jvm/{}", env!("CARGO_PKG_VERSION")));
        if let Some(logger) = logger {
            builder = builder.log_sink(Arc::new(JvmLogSink(logger)));
        }
        let client = builder.options(options(options_json)?)?.build()?;
        Ok(Arc::new(NativeClient {
            handle: ClientHandle::new(client)?,
        }))
    }

    /// The base URL requests go to.
    pub fn base_url(&self) -> String {
        self.handle.base_url().to_owned()
    }

    /// True once `shut_down` was called.
    pub fn is_closed(&self) -> bool {
        self.handle.is_closed()
    }

    /// Closes the client: calls in flight stop, later calls fail (`client_closed`), and the
    /// connection pools are freed now. Idempotent. Not `close`: uniffi's Kotlin class has a
    /// `close()` of its own, which frees the handle.
    pub fn shut_down(&self) {
        self.handle.shut_down();
    }

    /// Replaces the key; requests in flight finish with the old one.
    pub fn rotate_api_key(&self, api_key: String) -> Outcome<()> {
        Ok(self.handle.rotate_api_key(api_key)?)
    }

    /// Starts one project (`get`); the outcome arrives from `wait_for_completions` as
    /// `ticket`. `arguments`: `{"id", "options"}` as UTF-8 JSON in a direct buffer.
    pub fn start_get_project(&self, ticket: u64, arguments: &[u8]) -> Outcome<()> {
        let call = get_project(self.handle.client(CallPath::Started)?, arguments)?;
        CROSSING.start(ticket, async move { call.await.map(started) })
    }

    /// One project (`get`), blocking the calling thread. `arguments`: `{"id", "options"}` as
    /// UTF-8 JSON in a direct buffer (read in place: no copy crosses).
    pub fn get_project_blocking(&self, arguments: &[u8]) -> Outcome<JsonData> {
        blocking(get_project(
            self.handle.client(CallPath::Blocking)?,
            arguments,
        )?)
    }

    /// Starts one page of projects (`ticket` as for `start_get_project`). `arguments`: the
    /// list parameters as JSON.
    pub fn start_list_page(&self, ticket: u64, arguments: &[u8]) -> Outcome<()> {
        let call = list_page(self.handle.client(CallPath::Started)?, arguments)?;
        CROSSING.start(ticket, async move { call.await.map(started) })
    }

    /// One page of projects, blocking the calling thread (`arguments` as for `list_page`).
    pub fn list_page_blocking(&self, arguments: &[u8]) -> Outcome<JsonData> {
        blocking(list_page(
            self.handle.client(CallPath::Blocking)?,
            arguments,
        )?)
    }

    /// Starts a call to any v3 path (`ticket` as for `start_get_project`): the JSON returned
    /// (`null` for an empty body). `arguments`: `{"method", "path", "options"}` as JSON.
    pub fn start_request(&self, ticket: u64, arguments: &[u8]) -> Outcome<()> {
        let call = request(self.handle.client(CallPath::Started)?, arguments)?;
        CROSSING.start(ticket, async move { call.await.map(started) })
    }

    /// Any v3 path, blocking the calling thread (`arguments` as for `start_request`).
    pub fn request_blocking(&self, arguments: &[u8]) -> Outcome<JsonData> {
        blocking(request(self.handle.client(CallPath::Blocking)?, arguments)?)
    }

    /// A cursor over every page, from suspending calls.
    pub fn cursor(&self, params_json: String) -> Outcome<Arc<NativeCursor>> {
        NativeCursor::new(&self.handle, CallPath::Started, params_json)
    }

    /// A cursor over every page, from blocking calls.
    pub fn cursor_blocking(&self, params_json: String) -> Outcome<Arc<NativeCursor>> {
        NativeCursor::new(&self.handle, CallPath::Blocking, params_json)
    }
}

/// A call's arguments: one JSON object in one buffer, since every value crossing JNA on its
/// own costs microseconds (a `Structure` per argument and per call).
fn arguments(bytes: &[u8]) -> ocus::Result<Map<String, Value>> {
    serde_json::from_slice(bytes).map_err(|e| {
        ocus::Error::new(
            ocus::ErrorKind::Configuration,
            format!("the arguments are not a JSON object: {e}"),
        )
    })
}

/// A text argument the Kotlin layer always sends.
fn text(arguments: &mut Map<String, Value>, name: &str) -> ocus::Result<String> {
    match arguments.remove(name) {
        Some(Value::String(text)) => Ok(text),
        _ => Err(ocus::Error::new(
            ocus::ErrorKind::Configuration,
            format!("the arguments have no `{name}` text"),
        )),
    }
}

/// The per-call options inside the arguments (`{}` when absent).
fn call_options(arguments: &mut Map<String, Value>) -> Map<String, Value> {
    match arguments.remove("options") {
        Some(Value::Object(options)) => options,
        _ => Map::new(),
    }
}

// Each call reads its arguments before it starts (bad arguments fail the call at once), then
// runs as a future that owns what it needs.

fn get_project(
    client: ocus::Client,
    bytes: &[u8],
) -> ocus::Result<impl Future<Output = ocus::Result<JsonData>> + Send + 'static> {
    let mut arguments = arguments(bytes)?;
    let id = text(&mut arguments, "id")?;
    let request = ocus::RequestOptions::from_call_options(call_options(&mut arguments))?;
    Ok(async move {
        let project = client.projects().get_with(&id, &request).await?;
        with_response(project.view(), |v| v.response.take())
    })
}

fn list_page(
    client: ocus::Client,
    bytes: &[u8],
) -> ocus::Result<impl Future<Output = ocus::Result<JsonData>> + Send + 'static> {
    let params = ocus::ListParams::from_options(arguments(bytes)?)?;
    Ok(async move {
        let page = client.projects().list(&params).await?;
        with_response(page.view(), |v| v.response.take())
    })
}

fn request(
    client: ocus::Client,
    bytes: &[u8],
) -> ocus::Result<impl Future<Output = ocus::Result<JsonData>> + Send + 'static> {
    let mut arguments = arguments(bytes)?;
    let method = text(&mut arguments, "method")?;
    let path = text(&mut arguments, "path")?;
    let options = ocus::RequestOptions::from_options(call_options(&mut arguments))?;
    Ok(async move {
        let (value, response) = client
            .request_str_with_response(&method, &path, options)
            .await?;
        Ok(JsonData {
            value: json(&value)?,
            response: json(&response.view())?,
        })
    })
}

/// The pages of a list, one `next_page` at a time (`null` after the last).
#[derive(uniffi::Object)]
pub struct NativeCursor {
    cursor: Arc<CursorHandle>,
}

impl NativeCursor {
    fn new(
        client: &ClientHandle,
        path: CallPath,
        params_json: String,
    ) -> Outcome<Arc<NativeCursor>> {
        let params = ocus::ListParams::from_options(options(params_json)?)?;
        Ok(Arc::new(NativeCursor {
            cursor: client.cursor(path, params),
        }))
    }

    fn get(&self) -> ocus::Result<Arc<ocus::ProjectCursor>> {
        self.cursor.get()
    }
}

async fn next_page(cursor: Arc<ocus::ProjectCursor>) -> ocus::Result<Option<String>> {
    match cursor.next_page().await? {
        // Iterated pages carry no response view: their items are what is asked for.
        Some(page) => Ok(Some(json(&ocus::PageView {
            response: None,
            ..page.view()
        })?)),
        None => Ok(None),
    }
}

#[uniffi::export]
impl NativeCursor {
    /// Starts taking the next page (`ticket` as for `NativeClient::start_get_project`): its
    /// view as JSON, `null` after the last.
    pub fn start_next_page(&self, ticket: u64) -> Outcome<()> {
        let cursor = self.get()?;
        CROSSING.start(ticket, async move { Ok((next_page(cursor).await?, None)) })
    }

    /// The next page's view as JSON, blocking; `null` after the last.
    pub fn next_page_blocking(&self) -> Outcome<Option<String>> {
        blocking(next_page(self.get()?))
    }
}

// ---- webhooks ---------------------------------------------------------------------------------

/// Verifies `ocus-signature` in constant time against the raw body and its `data` member and
/// returns the event's view as JSON.
#[uniffi::export]
pub fn verify_webhook(
    raw_body: Vec<u8>,
    signature: Option<String>,
    secret: Vec<u8>,
) -> Outcome<String> {
    let event = ocus::webhooks::verify(raw_body, signature.as_deref().unwrap_or(""), secret)?;
    Ok(json(&event.view())?)
}

/// The signature OCUS sends for `part` (`body` or `data`) of `raw_body`, to test receivers.
#[uniffi::export]
pub fn sign_webhook(raw_body: Vec<u8>, secret: Vec<u8>, part: String) -> Outcome<String> {
    let part = ocus::webhooks::SignedPart::parse(&part)?;
    Ok(ocus::webhooks::sign_part(raw_body, secret, part)?)
}

/// The header OCUS puts the signature in.
#[uniffi::export]
pub fn signature_header() -> String {
    ocus::webhooks::SIGNATURE_HEADER.to_owned()
}

/// The production base URL.
#[uniffi::export]
pub fn default_base_url() -> String {
    ocus::DEFAULT_BASE_URL.to_owned()
}

/// This library's version (the core's).
#[uniffi::export]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
