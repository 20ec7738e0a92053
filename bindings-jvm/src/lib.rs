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

use ocus::call::{self, CallOutput, Operation, PendingCall, ResponseShape};
use ocus::completion::Completions;
use ocus::handle::{CallPath, ClientHandle, CursorHandle};

use serde_json::{Map, Value};
use tokio::task::AbortHandle;
use zeroize::Zeroize;

// The core's allocations go to mimalloc, as in the Node addon (README "Layout and
// dependencies"): suspend calls at 50 in flight 39 -> 37 µs of client CPU in `make bench-jvm`.
// JNA loads this library with dlopen, hence local-dynamic TLS.
#[cfg(target_os = "linux")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

uniffi::setup_scaffolding!();

/// A core error as data: `io.ocus.errorOf` picks the exception class from the view's `kind`.
#[derive(Debug, uniffi::Error)]
pub enum NativeError {
    /// The only variant: uniffi maps an error enum to a sealed exception class.
    Failure {
        /// The core's error view (`ocus::ErrorView`) as JSON: the one shape every error
        /// crosses in, from uniffi calls and direct ones alike.
        view: String,
    },
}

impl std::fmt::Display for NativeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let NativeError::Failure { view } = self;
        f.write_str(view)
    }
}

impl std::error::Error for NativeError {}

impl From<ocus::Error> for NativeError {
    fn from(error: ocus::Error) -> Self {
        NativeError::Failure {
            view: error_json(&error),
        }
    }
}

/// The error's view as JSON text.
fn error_json(error: &ocus::Error) -> String {
    serde_json::to_string(&error.view()).unwrap_or_else(|_| "null".to_owned())
}

type Outcome<T> = Result<T, NativeError>;

fn json(value: &impl serde::Serialize) -> ocus::Result<String> {
    serde_json::to_string(value)
        .map_err(|e| ocus::Error::new(ocus::ErrorKind::Decode, e.to_string()))
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

/// The process's started calls: outcomes (see `encode`) wait in one queue that the Kotlin
/// layer's completion thread takes in batches (`ocus_jvm_wait`), and each running call can be
/// aborted by its ticket. That thread also drives the runtime the calls run on
/// (`ocus::runtime::host_driven`): a call's I/O and its result's hand-over happen on one
/// thread, one thread hand-off fewer per call than a worker thread queueing for it.
struct Crossing {
    queue: Arc<Completions<String>>,
    running: Mutex<HashMap<u64, AbortHandle>>,
    /// The runtime the completion thread drives.
    runtime: ocus::Result<&'static tokio::runtime::Runtime>,
}

static CROSSING: LazyLock<Crossing> = LazyLock::new(|| Crossing {
    queue: Arc::new(Completions::driven()),
    running: Mutex::new(HashMap::new()),
    runtime: ocus::runtime::host_driven(),
});

impl Crossing {
    /// Starts `call` on the process runtime; its outcome is delivered as `ticket`.
    fn start<F>(&self, ticket: u64, call: F) -> ocus::Result<()>
    where
        F: Future<Output = ocus::Result<CallOutput>> + Send + 'static,
    {
        // Held across the start, so a call that finishes at once is forgotten by the wait
        // after it is recorded here, never before.
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        let abort = self.queue.start(ticket, None, call, encode)?;
        running.insert(ticket, abort);
        Ok(())
    }
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

// ---- the calls' direct entry points ------------------------------------------------------

// A uniffi call allocates JNA structures (its call status, each returned buffer), and every one
// goes through JNA's global map of native allocations: measured here at 12-45 µs per call, more
// than the request itself. So the calls themselves cross through four plain C functions, which
// JNA maps directly with only numbers and byte arrays (`io.ocus.Direct`); a blocking call's
// result comes back as one JSON text, a batch of started ones framed (`batch_frames`), in a
// buffer this library owns until `ocus_jvm_free`.

/// `{"value": view, "response": view}` or `{"error": error view}`: one JSON text per outcome.
fn encode(result: ocus::Result<CallOutput>) -> String {
    call::outcome_json(result, ResponseShape::Object)
}

/// The call `op` (an `ocus::call::Operation`) on `target` (a `NativeClient`, or a
/// `NativeCursor` for the next page), on `path`'s pool; bad arguments fail before it starts.
///
/// # Safety
/// `target` is the address (`address()`) of a live object of the type `op` names.
unsafe fn call(
    target: u64,
    op: i32,
    path: CallPath,
    arguments: &[u8],
    trace: u64,
) -> ocus::Result<PendingCall> {
    let op = Operation::from_code(op)?;
    // Checked before the address is read as the object `op` names.
    if target == 0 {
        return Err(ocus::Error::new(
            ocus::ErrorKind::Configuration,
            "no object at address 0",
        ));
    }
    if op == Operation::NextPage {
        // SAFETY: the caller's.
        return call::next_page(&unsafe { &*(target as *const NativeCursor) }.cursor, path);
    }
    // SAFETY: the caller's.
    let client = unsafe { &*(target as *const NativeClient) };
    // SAFETY: the caller's: 0, or the address of a live `NativeTrace`.
    let trace = unsafe { (trace as *const NativeTrace).as_ref() }.map(NativeTrace::core);
    call::prepare(&client.handle, path, op, call::arguments(arguments)?, trace)
}

/// `len` bytes at `data` (none when `len` is 0).
///
/// # Safety
/// `data` points to `len` readable bytes, or `len` is 0.
unsafe fn bytes<'a>(data: *const u8, len: i32) -> &'a [u8] {
    match usize::try_from(len) {
        // SAFETY: the caller's.
        Ok(len) if len > 0 && !data.is_null() => unsafe { std::slice::from_raw_parts(data, len) },
        _ => &[],
    }
}

/// Text handed to the JVM: its length (8 bytes, native order), then its UTF-8 bytes. Owned by
/// the JVM until `ocus_jvm_free`.
fn hand_over(text: String) -> u64 {
    let mut buffer = buffer_for(text.len());
    buffer.extend_from_slice(text.as_bytes());
    hand_over_buffer(buffer)
}

/// An empty buffer to hand over, with room for `len` bytes after its length field.
fn buffer_for(len: usize) -> Vec<u8> {
    let mut buffer = Vec::with_capacity(8 + len);
    buffer.extend_from_slice(&[0; 8]);
    buffer
}

/// Writes the length field of a `buffer_for` buffer and hands it over.
fn hand_over_buffer(mut buffer: Vec<u8>) -> u64 {
    let len = (buffer.len() - 8) as u64;
    buffer[..8].copy_from_slice(&len.to_ne_bytes());
    Box::into_raw(buffer.into_boxed_slice()) as *mut u8 as u64
}

/// A buffer to hand over holding finished calls as `ticket` (8 bytes), the outcome's length (8
/// bytes), then its UTF-8, one after the other, in the machine's byte order: the completion thread only splits them, and
/// each outcome is parsed by its own coroutine, off the thread that drives the calls' I/O.
fn batch_frames(finished: &[(u64, String)]) -> Vec<u8> {
    let size = finished.iter().map(|(_, text)| 16 + text.len()).sum();
    let mut frames = buffer_for(size);
    for (ticket, text) in finished {
        frames.extend_from_slice(&ticket.to_ne_bytes());
        frames.extend_from_slice(&(text.len() as u64).to_ne_bytes());
        frames.extend_from_slice(text.as_bytes());
    }
    frames
}

/// Frees what `ocus_jvm_call` or `ocus_jvm_wait` returned.
///
/// # Safety
/// `buffer` came from one of them and is freed once.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ocus_jvm_free(buffer: u64) {
    let data = buffer as *mut u8;
    if data.is_null() {
        return;
    }
    // SAFETY: the caller's: a buffer from `hand_over`, whose first 8 bytes hold the rest's length.
    unsafe {
        let len = u64::from_ne_bytes(*(data as *const [u8; 8])) as usize;
        drop(Box::from_raw(std::ptr::slice_from_raw_parts_mut(
            data,
            8 + len,
        )));
    }
}

/// Runs the call `op` on the calling thread (Java's blocking methods) and returns its outcome
/// (see `encode`) as a buffer to read, then free with `ocus_jvm_free`.
///
/// # Safety
/// `target` as for `call`; `arguments` points to `len` bytes.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ocus_jvm_call(
    target: u64,
    op: i32,
    arguments: *const u8,
    len: i32,
    trace: u64,
) -> u64 {
    // SAFETY: the caller's.
    let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| {
        // A Java interrupt does not reach native code: only the call's timeout or the
        // client's `close` stops it.
        let call = unsafe { call(target, op, CallPath::Blocking, bytes(arguments, len), trace) }?;
        ocus::runtime::block_on(call)?
    }))
    .unwrap_or_else(|_| Err(ocus::Error::panicked()));
    hand_over(encode(outcome))
}

/// Starts the call `op` on the process runtime; its outcome arrives from `ocus_jvm_wait`
/// under `ticket` (a call that cannot start arrives there too, as its failure).
///
/// # Safety
/// As for `ocus_jvm_call`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ocus_jvm_start(
    target: u64,
    op: i32,
    ticket: u64,
    arguments: *const u8,
    len: i32,
    trace: u64,
) {
    // SAFETY: the caller's.
    let started = std::panic::catch_unwind(AssertUnwindSafe(|| {
        let call = unsafe { call(target, op, CallPath::Started, bytes(arguments, len), trace) }?;
        CROSSING.start(ticket, call)
    }))
    .unwrap_or_else(|_| Err(ocus::Error::panicked()));
    if let Err(error) = started {
        CROSSING.queue.deliver(ticket, encode(Err(error)));
    }
}

/// Drives the started calls' runtime until some finish, then returns them all as one buffer
/// (free it with `ocus_jvm_free`): their outcomes (see `encode`) framed by `batch_frames`.
/// One crossing per batch of calls, from the JVM's one completion thread.
#[unsafe(no_mangle)]
pub extern "C" fn ocus_jvm_wait() -> u64 {
    let finished = match &CROSSING.runtime {
        Ok(runtime) => CROSSING.queue.run(runtime, usize::MAX),
        // This thread could not get a runtime to drive (so neither, most likely, could the
        // calls, whose starts then queued their errors): take what waits, without spinning.
        Err(_) => {
            std::thread::sleep(std::time::Duration::from_millis(10));
            CROSSING.queue.drain(usize::MAX)
        }
    };
    {
        // Forgotten under a short lock: starts and cancels wait on it.
        let mut running = CROSSING.running.lock().unwrap_or_else(|p| p.into_inner());
        for (ticket, _) in &finished {
            running.remove(ticket);
        }
    }
    hand_over_buffer(batch_frames(&finished))
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

// ---- OpenTelemetry: the core's description of a call, handed to the JVM ------------------------

/// A call's spans in the JVM's OpenTelemetry (`io.ocus.Telemetry`), called on the thread the
/// request runs on. Events cross in batches (`ocus::telemetry::PendingEvents`: a JSON array of
/// the core's descriptions, each with `"event"` and the `"time"` it happened), two crossings
/// per attempt instead of one per event: a JNA callback costs more than the span it makes.
#[uniffi::export(with_foreign)]
pub trait NativeCallTrace: Send + Sync {
    /// Events that need no answer (an operation ended, with what waited before it).
    fn events(&self, events: String);
    /// Events ending with an attempt's start: returns the propagation headers of the attempt's
    /// span, as `[name, value]` pairs.
    fn attempt_started(&self, events: String) -> Vec<Vec<String>>;
}

/// A trace for one call (or a cursor's pages), passed to the direct entry points by address.
#[derive(uniffi::Object)]
pub struct NativeTrace {
    trace: Arc<dyn NativeCallTrace>,
}

#[uniffi::export]
impl NativeTrace {
    #[uniffi::constructor]
    pub fn new(trace: Arc<dyn NativeCallTrace>) -> Arc<NativeTrace> {
        Arc::new(NativeTrace { trace })
    }

    /// This object's address, for the direct entry points (as `NativeClient::address`).
    pub fn address(&self) -> u64 {
        self as *const Self as u64
    }
}

impl NativeTrace {
    fn core(&self) -> ocus::telemetry::Trace {
        let host = JvmTrace(self.trace.clone());
        ocus::telemetry::Trace(Arc::new(ocus::telemetry::BatchedTrace::new(host)))
    }
}

struct JvmTrace(Arc<dyn NativeCallTrace>);

impl ocus::telemetry::EventBatches for JvmTrace {
    fn attempt_started(&self, events: String) -> ocus::telemetry::Propagation {
        let pairs = self.0.attempt_started(events);
        pairs
            .into_iter()
            .filter_map(|pair| <[String; 2]>::try_from(pair).ok())
            .map(|[name, value]| (name, value))
            .collect()
    }

    fn operation_ended(&self, events: String) {
        self.0.events(events);
    }
}

/// The core's names for the instruments, as JSON (`io.ocus.Telemetry` makes its tracer and
/// histogram with them).
#[uniffi::export]
pub fn telemetry_names() -> String {
    use ocus::telemetry as t;
    serde_json::json!({
        "instrumentation_name": t::INSTRUMENTATION_NAME,
        "duration_metric": t::REQUEST_DURATION_METRIC,
        "duration_unit": t::REQUEST_DURATION_UNIT,
        "duration_description": t::REQUEST_DURATION_DESCRIPTION,
        "duration_buckets": t::REQUEST_DURATION_BUCKETS,
    })
    .to_string()
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
            .sdk(format!("ocus-jvm/{}", env!("CARGO_PKG_VERSION")));
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

    /// This object's address, for the direct entry points (`ocus_jvm_call`, `ocus_jvm_start`):
    /// valid while the JVM holds the object.
    pub fn address(&self) -> u64 {
        self as *const Self as u64
    }

    /// A cursor over every page, for suspending and blocking calls alike; its pages are
    /// reported to `trace`, if given, one after the other.
    pub fn cursor(
        &self,
        params_json: String,
        trace: Option<Arc<NativeTrace>>,
    ) -> Outcome<Arc<NativeCursor>> {
        let mut params = ocus::ListParams::from_options(options(params_json)?)?;
        params.options.trace = trace.as_deref().map(NativeTrace::core);
        Ok(Arc::new(NativeCursor {
            cursor: self.handle.cursor(params),
        }))
    }
}

/// The pages of a list, one `next_page` at a time (`null` after the last).
#[derive(uniffi::Object)]
pub struct NativeCursor {
    cursor: Arc<CursorHandle>,
}

#[uniffi::export]
impl NativeCursor {
    /// This object's address, for the direct entry points (as `NativeClient::address`).
    pub fn address(&self) -> u64 {
        self as *const Self as u64
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
