//! The native addon behind the npm package `ocus`. It translates; the core decides.
//!
//! Errors cross as the core's view (`ErrorData`: the view's JSON, marked `isOcusError`), which
//! the generated `error-view.js` turns into the matching error class.
//!
//! Calls cross through the core's completion queue ([`ocus::completion::Completions`]): a
//! `start*` method starts the call and returns a ticket; the result is serialised to JSON text
//! where the call ran; `onReady` (one per JS environment) takes every waiting result as one
//! string and parses it with `JSON.parse`. Where the call runs:
//! - on Linux, on the core's `DrivenCalls`, turned by the environment's own libuv loop
//!   (`event_loop`): the call's I/O, its result and its log events stay on the JS thread, as
//!   undici's do;
//! - elsewhere (or with `OCUS_NODE_THREADED=1`), on the process runtime's one worker thread,
//!   the first result of a batch waking the JS thread through a threadsafe function.
//!
//! Not napi's async functions: they make a threadsafe function per call, and each call's result
//! is woken, converted and settled on its own.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};

#[cfg(target_os = "linux")]
use napi::JsValue; // `raw()` of the values the event loop keeps
use napi::bindgen_prelude::{Buffer, Either, Function};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi_derive::napi;
use ocus::call::{self, PendingCall, ResponseShape};
use ocus::completion::Completions;
use ocus::handle::{CallPath, ClientHandle, CursorHandle};
use ocus::runtime::CancelToken;
use serde_json::{Map, Value};

// mimalloc for the core's allocations (a request allocates many small pieces): client CPU per
// request at 50 in flight 34.8 -> 29.9 µs in bench/node_bench.js, against glibc's malloc.
// Local-dynamic TLS, as Node loads the addon with dlopen. README "Layout and dependencies" says
// why the Python module and the C library keep the system allocator.
#[cfg(target_os = "linux")]
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[cfg(target_os = "linux")]
mod event_loop;

/// A failed call: the core's view of the error (`ocus::ErrorView`) as JSON text, marked so
/// `index.js` tells it from a value; the generated `error-view.js` makes the error from it.
#[napi(object)]
#[derive(serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorData {
    pub is_ocus_error: bool,
    pub view: String,
}

impl From<ocus::Error> for ErrorData {
    fn from(error: ocus::Error) -> Self {
        ErrorData {
            is_ocus_error: true,
            view: serde_json::to_string(&error.view()).unwrap_or_default(),
        }
    }
}

type Outcome<T> = Either<T, ErrorData>;

/// napi's runtime, which is also the core's process runtime (`ocus::runtime::install`): one
/// runtime in the process. It runs the threaded crossing's calls: one worker thread drives
/// every request and its connection, so a request crosses threads twice (in from the JS thread,
/// back to it) instead of also bouncing between workers. Made here even where the event loop's
/// crossing is used: napi pins the addon in memory with it (Node unloads an addon with the
/// environment that loaded it, and the runtime's blocking threads run its code).
#[napi_derive::module_init]
fn init() {
    if let Ok(runtime) = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("ocus-node")
        .enable_all()
        .build()
    {
        ocus::runtime::install(runtime.handle().clone());
        napi::bindgen_prelude::create_custom_tokio_runtime(runtime);
    }
}

fn outcome<T>(result: ocus::Result<T>) -> Outcome<T> {
    match result {
        Ok(value) => Either::A(value),
        Err(error) => Either::B(error.into()),
    }
}

// ---- the crossing: started calls, settled in batches on the JS thread ---------------------

/// A finished call's outcome as JSON text: `{"value", "response"}` (the response as JSON text,
/// parsed by `index.js` only when asked for: `.withResponse()`), or `{"error": view}`.
fn settled(result: ocus::Result<call::CallOutput>) -> String {
    call::outcome_json(result, ResponseShape::Text)
}

/// Wakes the JS thread to drain: weak (unreferenced) while no call is in flight, so an idle
/// client never keeps the process alive.
type WakeFunction = ThreadsafeFunction<(), (), (), napi::Status, false, true>;

/// Where one JS environment's started calls arrive (`index.js` makes one per environment, so
/// each worker thread has its own). `onReady` is called on the JS thread when results wait.
#[napi]
pub struct Crossing {
    hub: Arc<Hub>,
}

struct Hub {
    path: CrossingPath,
    next_ticket: AtomicU32,
}

/// How results reach the JS thread.
enum CrossingPath {
    /// The calls run on this environment's own libuv loop (Linux; see `event_loop`).
    #[cfg(target_os = "linux")]
    EventLoop(&'static event_loop::EventLoop),
    /// The calls run on the process runtime's worker thread, and the first result of a batch
    /// calls the threadsafe function `wake` (referenced while calls are in flight).
    Threaded {
        queue: Arc<Completions<String>>,
        wake: napi::sys::napi_threadsafe_function,
        /// Calls started and not drained yet (changed on the JS thread only).
        in_flight: AtomicU32,
    },
}

// SAFETY: `wake` is only passed to napi_(un)ref_threadsafe_function on the JS thread that
// owns it (start and drain run there); the queue is thread-safe; the event loop is used on
// its JS thread only.
unsafe impl Send for Hub {}
// SAFETY: as above.
unsafe impl Sync for Hub {}

#[napi]
impl Crossing {
    #[napi(constructor)]
    pub fn new(env: napi::Env, on_ready: Function<'_, (), ()>) -> napi::Result<Self> {
        #[cfg(target_os = "linux")]
        if let Some(event_loop) = event_loop::EventLoop::new(env.raw(), on_ready.raw()) {
            return Ok(Crossing {
                hub: Arc::new(Hub {
                    path: CrossingPath::EventLoop(event_loop),
                    next_ticket: AtomicU32::new(0),
                }),
            });
        }
        let _ = env;
        let wake: WakeFunction = on_ready
            .build_threadsafe_function()
            .weak::<true>()
            .build()?;
        let raw = wake.raw();
        let queue = Completions::with_wake(move || {
            wake.call((), ThreadsafeFunctionCallMode::NonBlocking);
        });
        Ok(Crossing {
            hub: Arc::new(Hub {
                path: CrossingPath::Threaded {
                    queue: Arc::new(queue),
                    wake: raw,
                    in_flight: AtomicU32::new(0),
                },
                next_ticket: AtomicU32::new(0),
            }),
        })
    }

    /// How calls cross: "event-loop" (run on this thread's libuv loop) or "threaded".
    #[napi(getter)]
    pub fn path(&self) -> &'static str {
        match self.hub.path {
            #[cfg(target_os = "linux")]
            CrossingPath::EventLoop(_) => "event-loop",
            CrossingPath::Threaded { .. } => "threaded",
        }
    }

    /// Every finished call, as the JSON text of `[[ticket, outcome], ...]` (see `settled`).
    #[napi]
    pub fn drain(&self, env: napi::Env) -> String {
        let finished = match &self.hub.path {
            #[cfg(target_os = "linux")]
            CrossingPath::EventLoop(event_loop) => event_loop.drain(),
            CrossingPath::Threaded {
                queue,
                wake,
                in_flight,
            } => {
                let finished = queue.drain(usize::MAX);
                let count = u32::try_from(finished.len()).unwrap_or(u32::MAX);
                let before = in_flight.fetch_sub(count, Ordering::Relaxed);
                if before == count && count > 0 {
                    // SAFETY: on the JS thread that owns the function (see Hub).
                    unsafe { napi::sys::napi_unref_threadsafe_function(env.raw(), *wake) };
                }
                finished
            }
        };
        ocus::completion::json_batch(&finished)
    }
}

impl Hub {
    /// Starts the call `prepare` makes (cancelled by `cancel`); its outcome is delivered under
    /// the ticket returned. A call that cannot be prepared fails now, nothing started.
    fn start(
        &self,
        env: &napi::Env,
        cancel: Option<&CancelHandle>,
        prepare: impl FnOnce() -> ocus::Result<PendingCall>,
    ) -> ocus::Result<u32> {
        let call = prepare()?;
        let ticket = self.next_ticket.fetch_add(1, Ordering::Relaxed);
        let cancel = cancel.map(|c| c.token.clone());
        match &self.path {
            #[cfg(target_os = "linux")]
            CrossingPath::EventLoop(event_loop) => {
                if !event_loop.start(u64::from(ticket), cancel, call, settled) {
                    return Err(ocus::Error::new(
                        ocus::ErrorKind::Configuration,
                        "the JS environment is closing",
                    ));
                }
            }
            CrossingPath::Threaded {
                queue,
                wake,
                in_flight,
            } => {
                queue.start(u64::from(ticket), cancel, call, settled)?;
                if in_flight.fetch_add(1, Ordering::Relaxed) == 0 {
                    // A call in flight keeps the process alive until its promise settles.
                    // SAFETY: on the JS thread that owns the function (see Hub).
                    unsafe { napi::sys::napi_ref_threadsafe_function(env.raw(), *wake) };
                }
            }
        }
        Ok(ticket)
    }

    /// Where a client's log events go, by the crossing's path.
    fn log_sink(&self, log: Function<'_, Value, ()>) -> ocus::Result<NodeLogSink> {
        #[cfg(target_os = "linux")]
        if let CrossingPath::EventLoop(event_loop) = &self.path {
            let logger =
                event_loop::JsLogger::new(log.value().env, log.raw()).ok_or_else(|| {
                    ocus::Error::new(ocus::ErrorKind::Configuration, "the logger cannot be used")
                })?;
            return Ok(NodeLogSink::EventLoop(event_loop, Arc::new(logger)));
        }
        let log: LogFunction = log
            .build_threadsafe_function()
            .weak::<true>()
            .build()
            .map_err(|e| {
                ocus::Error::new(
                    ocus::ErrorKind::Configuration,
                    format!("the logger cannot be used: {e}"),
                )
            })?;
        Ok(NodeLogSink::Threaded(log))
    }

    /// Lets an event loop run often enough to close the clients' idle connections on time
    /// (after a client is made: its idle timeout may be the shortest).
    fn sweep_on_time(&self) {
        #[cfg(target_os = "linux")]
        if let (CrossingPath::EventLoop(event_loop), Some(period)) =
            (&self.path, ocus::runtime::sweep_period())
        {
            event_loop.sweep_every(period);
        }
    }
}

// ---- cancellation: an AbortSignal cancels a handle owned by the call ----------------------

/// A cancellation handle for one call, owned by JS (`index.js` wires it to an AbortSignal and
/// lets it go when the call settles).
#[napi]
pub struct CancelHandle {
    token: CancelToken,
}

#[napi]
impl CancelHandle {
    #[napi(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        CancelHandle {
            token: CancelToken::new(),
        }
    }

    /// Stops the call holding this handle.
    #[napi]
    pub fn cancel(&self) {
        self.token.cancel();
    }
}

/// A core view (project, page, event) as JSON: the one wire shape of every binding.
fn view(value: &impl serde::Serialize) -> ocus::Result<Value> {
    serde_json::to_value(value)
        .map_err(|e| ocus::Error::new(ocus::ErrorKind::Decode, e.to_string()))
}

// ---- the client ---------------------------------------------------------------------------

/// A client: the core's handle (its pools, the cursors it gave out, and closing them), and
/// the crossing its calls settle through.
#[napi]
pub struct NativeClient {
    handle: ClientHandle,
    hub: Arc<Hub>,
}

// ---- logs: the core's events handed to a JS function -------------------------------------

/// Calls `log(event)` on the JS thread for each of a client's log events. Weak: a client
/// waiting to log never keeps the process alive; non-blocking: a request never waits for JS.
type LogFunction = ThreadsafeFunction<Value, (), Value, napi::Status, false, true>;

enum NodeLogSink {
    /// Called on the JS thread through a threadsafe function (the threaded crossing).
    Threaded(LogFunction),
    /// Handed to the environment's event loop, which calls it in the same turn.
    #[cfg(target_os = "linux")]
    EventLoop(&'static event_loop::EventLoop, Arc<event_loop::JsLogger>),
}

impl ocus::LogSink for NodeLogSink {
    fn log(&self, event: &ocus::LogEvent) {
        let Ok(event) = serde_json::to_value(event) else {
            return;
        };
        match self {
            NodeLogSink::Threaded(log) => {
                log.call(event, ThreadsafeFunctionCallMode::NonBlocking);
            }
            #[cfg(target_os = "linux")]
            NodeLogSink::EventLoop(event_loop, logger) => event_loop.log(logger, event),
        }
    }
}

/// Builds a client from the options object as given (the core parses and validates it);
/// missing options come from OCUS_API_KEY / OCUS_API_KEY_FILE / OCUS_BASE_URL / OCUS_LOG.
/// `log` receives each log event the client's level lets through.
#[napi]
pub fn create_client(
    options: Map<String, Value>,
    log: Option<Function<'_, Value, ()>>,
    crossing: &Crossing,
) -> Outcome<NativeClient> {
    outcome((|| {
        let mut builder = ocus::Client::builder()
            .from_env()
            .sdk(format!("ocus-node/{}", env!("CARGO_PKG_VERSION")));
        // Node's own TLS adds NODE_EXTRA_CA_CERTS to what it trusts; so does the client, on top
        // of caBundle or OCUS_CA_BUNDLE (read now: process.env writes reach the environment).
        if let Some(path) = std::env::var_os("NODE_EXTRA_CA_CERTS").filter(|p| !p.is_empty()) {
            builder = builder.extra_ca_bundle(path);
        }
        if let Some(log) = log {
            builder = builder.log_sink(Arc::new(crossing.hub.log_sink(log)?));
        }
        ocus::options::milliseconds_only(&options)?;
        let builder = builder.options(options)?;
        let client = builder.build()?;
        crossing.hub.sweep_on_time();
        Ok(NativeClient {
            handle: ClientHandle::one_path(client, CallPath::Started),
            hub: crossing.hub.clone(),
        })
    })())
}

#[napi]
impl NativeClient {
    #[napi(getter)]
    pub fn base_url(&self) -> String {
        self.handle.base_url().to_owned()
    }

    #[napi(getter)]
    pub fn is_closed(&self) -> bool {
        self.handle.is_closed()
    }

    #[napi]
    pub fn close(&self) {
        self.handle.shut_down();
    }

    /// Replaces the key; requests in flight finish with the old one.
    #[napi]
    pub fn rotate_api_key(&self, api_key: String) -> Option<ErrorData> {
        self.handle
            .rotate_api_key(api_key)
            .err()
            .map(ErrorData::from)
    }

    /// Starts `projects.get`; the outcome arrives through the crossing under the ticket.
    #[napi]
    pub fn start_get_project(
        &self,
        env: napi::Env,
        id: String,
        options: Map<String, Value>,
        cancel: Option<&CancelHandle>,
        trace: Option<&NativeTrace>,
    ) -> Outcome<u32> {
        outcome(self.hub.start(&env, cancel, || {
            ocus::options::milliseconds_only(&options)?;
            let client = self.handle.client(CallPath::Started)?;
            call::get_project(client, id, options, trace.map(NativeTrace::core))
        }))
    }

    /// Starts `projects.listPage`.
    #[napi]
    pub fn start_list_page(
        &self,
        env: napi::Env,
        options: Map<String, Value>,
        cancel: Option<&CancelHandle>,
        trace: Option<&NativeTrace>,
    ) -> Outcome<u32> {
        outcome(self.hub.start(&env, cancel, || {
            ocus::options::milliseconds_only(&options)?;
            let client = self.handle.client(CallPath::Started)?;
            call::list_page(client, options, trace.map(NativeTrace::core))
        }))
    }

    /// A cursor over every page.
    #[napi]
    pub fn cursor(
        &self,
        options: Map<String, Value>,
        trace: Option<&NativeTrace>,
    ) -> Outcome<NativeCursor> {
        outcome(
            ocus::options::milliseconds_only(&options)
                .and_then(|()| ocus::ListParams::from_options(options))
                .map(|mut params| {
                    params.options.trace = trace.map(NativeTrace::core);
                    params
                })
                .map(|params| NativeCursor {
                    cursor: self.handle.cursor(params),
                    hub: self.hub.clone(),
                }),
        )
    }

    /// Starts a request to any path.
    #[napi]
    pub fn start_request(
        &self,
        env: napi::Env,
        method: String,
        path: String,
        options: Map<String, Value>,
        cancel: Option<&CancelHandle>,
        trace: Option<&NativeTrace>,
    ) -> Outcome<u32> {
        outcome(self.hub.start(&env, cancel, || {
            ocus::options::milliseconds_only(&options)?;
            call::request(
                self.handle.client(CallPath::Started)?,
                method,
                path,
                options,
                trace.map(NativeTrace::core),
            )
        }))
    }
}

#[napi]
pub struct NativeCursor {
    cursor: Arc<CursorHandle>,
    hub: Arc<Hub>,
}

#[napi]
impl NativeCursor {
    /// Starts fetching the next page (its value `null` after the last).
    #[napi]
    pub fn start_next_page(&self, env: napi::Env, cancel: Option<&CancelHandle>) -> Outcome<u32> {
        outcome(self.hub.start(&env, cancel, || {
            call::next_page(&self.cursor, CallPath::Started)
        }))
    }
}

// ---- OpenTelemetry: the core's description of a call, replayed on the JS thread ------------

/// Called on the JS thread with the events of a traced call so far (JSON text); returns the
/// propagation headers of the attempt that is starting, as `[name, value]` pairs.
type AttemptFunction =
    ThreadsafeFunction<String, Vec<Vec<String>>, String, napi::Status, false, true>;

/// One traced call (or a cursor's pages, one after the other), made by `otel.js` where the call
/// is made. The core's events wait here with the time they happened; the JS side replays them:
/// those before an attempt when it starts (its span must exist to be propagated, so that is a
/// round trip to the JS thread), the rest when the call's outcome arrives (`take`).
#[napi]
pub struct NativeTrace {
    state: Arc<TraceState>,
}

struct TraceState {
    events: ocus::telemetry::PendingEvents,
    on_attempt: AttemptFunction,
}

#[napi]
impl NativeTrace {
    #[napi(constructor)]
    pub fn new(on_attempt: Function<'_, String, Vec<Vec<String>>>) -> napi::Result<Self> {
        let on_attempt = on_attempt
            .build_threadsafe_function()
            .weak::<true>()
            .build()?;
        Ok(NativeTrace {
            state: Arc::new(TraceState {
                events: ocus::telemetry::PendingEvents::default(),
                on_attempt,
            }),
        })
    }

    /// The events not replayed yet, as the JSON text of an array.
    #[napi]
    pub fn take(&self) -> String {
        self.state.events.take_json()
    }

    fn core(&self) -> ocus::telemetry::Trace {
        ocus::telemetry::Trace(Arc::new(NodeTrace(self.state.clone())))
    }
}

struct NodeTrace(Arc<TraceState>);

impl ocus::telemetry::CallTrace for NodeTrace {
    fn operation_started(&self, operation: &ocus::telemetry::OperationStarted) {
        self.0.events.push("operation_started", operation);
    }

    fn attempt_started(
        &self,
        attempt: &ocus::telemetry::AttemptStarted,
    ) -> ocus::telemetry::PropagationFuture {
        self.0.events.push("attempt_started", attempt);
        let state = self.0.clone();
        Box::pin(async move {
            let events = state.events.take_json();
            match state.on_attempt.call_async(events).await {
                Ok(pairs) => pairs
                    .into_iter()
                    .filter_map(|pair| match <[String; 2]>::try_from(pair) {
                        Ok([name, value]) => Some((name, value)),
                        Err(_) => None,
                    })
                    .collect(),
                // The JS environment is going away: the attempt goes without a span context.
                Err(_) => Vec::new(),
            }
        })
    }

    fn attempt_ended(&self, attempt: &ocus::telemetry::AttemptEnded) {
        self.0.events.push("attempt_ended", attempt);
    }

    fn operation_ended(&self, operation: &ocus::telemetry::OperationEnded) {
        self.0.events.push("operation_ended", operation);
    }
}

/// The core's names for the instruments (`otel.js` makes its tracer and histogram with them).
#[napi]
pub fn telemetry_names() -> Value {
    use ocus::telemetry as t;
    serde_json::json!({
        "instrumentationName": t::INSTRUMENTATION_NAME,
        "durationMetric": t::REQUEST_DURATION_METRIC,
        "durationUnit": t::REQUEST_DURATION_UNIT,
        "durationDescription": t::REQUEST_DURATION_DESCRIPTION,
        "durationBuckets": t::REQUEST_DURATION_BUCKETS,
    })
}

// ---- webhooks -----------------------------------------------------------------------------

fn bytes(value: Either<String, Buffer>) -> Vec<u8> {
    match value {
        Either::A(text) => text.into_bytes(),
        Either::B(buffer) => buffer.to_vec(),
    }
}

/// Verifies `ocus-signature` in constant time against the raw body and its `data` member and
/// returns the event.
#[napi]
pub fn verify_webhook(
    raw_body: Either<String, Buffer>,
    signature: Option<String>,
    secret: Either<String, Buffer>,
) -> Outcome<Value> {
    outcome(
        ocus::webhooks::verify(
            bytes(raw_body),
            signature.as_deref().unwrap_or(""),
            bytes(secret),
        )
        .and_then(|event| view(&event.view())),
    )
}

/// The signature OCUS sends for `part` ("body" or "data") of `raw_body` (to test your own
/// receivers).
#[napi]
pub fn sign_webhook(
    raw_body: Either<String, Buffer>,
    secret: Either<String, Buffer>,
    part: String,
) -> Outcome<String> {
    outcome(
        ocus::webhooks::SignedPart::parse(&part)
            .and_then(|part| ocus::webhooks::sign_part(bytes(raw_body), bytes(secret), part)),
    )
}

#[napi]
pub const SIGNATURE_HEADER: &str = ocus::webhooks::SIGNATURE_HEADER;

#[napi]
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
