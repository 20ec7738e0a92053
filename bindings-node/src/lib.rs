//! The native addon behind the npm package `ocus`. It translates; the core decides.
//!
//! Errors cross as data (`ErrorData`, marked `isOcusError`): napi's async functions cannot carry
//! a custom error code, so `index.js` turns the data into the matching error class.

use std::sync::Arc;

use napi::bindgen_prelude::{Buffer, Either, Function};
use napi::threadsafe_function::{ThreadsafeFunction, ThreadsafeFunctionCallMode};
use napi_derive::napi;
use ocus::runtime::CancelToken;
use serde_json::{Map, Value};

/// A core error as plain data; `index.js` picks the class from `kind`.
#[napi(object)]
pub struct ErrorData {
    pub is_ocus_error: bool,
    pub kind: String,
    pub message: String,
    /// The core's one-line description (`forbidden (403): ... [request id ...]`).
    pub display: String,
    pub status: Option<u32>,
    pub code: Option<String>,
    pub request_id: Option<String>,
    /// Seconds.
    pub retry_after: Option<f64>,
    pub body: Option<String>,
    /// What caused it, outermost first (index.js chains them as `cause`).
    pub causes: Vec<String>,
}

impl From<ocus::Error> for ErrorData {
    fn from(error: ocus::Error) -> Self {
        ErrorData {
            is_ocus_error: true,
            kind: error.kind().as_str().to_owned(),
            message: error.message().to_owned(),
            display: error.to_string(),
            status: error.status().map(u32::from),
            code: error.code().map(str::to_owned),
            request_id: error.request_id().map(str::to_owned),
            retry_after: error.retry_after().map(|d| d.as_secs_f64()),
            body: error.body().map(str::to_owned),
            causes: error.causes(),
        }
    }
}

type Outcome<T> = Either<T, ErrorData>;

/// napi's runtime for our async functions, which is also the core's process runtime
/// (`ocus::runtime::install`): one runtime in the process. One worker thread drives every
/// request and its connection, so a request crosses threads twice (in from the JS thread,
/// back to it) instead of also bouncing between workers. The JS thread does the rest anyway.
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

/// The next page of a cursor, or `done`.
#[napi(object)]
pub struct PageStep {
    pub done: bool,
    pub page: Option<Value>,
}

/// A call's result (a project or page view, or a request's JSON) and its response's view
/// (status, headers, request id) as JSON text: parsed by `index.js` only when asked for
/// (`.withResponse()`), so a plain call pays for one string, not an object per header.
#[napi(object)]
pub struct JsonData {
    pub value: Value,
    pub response: String,
}

/// `view` (a project's or a page's) as a JS value, its response apart as JSON text.
fn with_response<'a, V: serde::Serialize>(
    mut view: V,
    response: impl FnOnce(&mut V) -> Option<ocus::ResponseView<'a>>,
) -> ocus::Result<JsonData> {
    let response = response(&mut view);
    Ok(JsonData {
        response: serde_json::to_string(&response).unwrap_or_default(),
        value: self::view(&view)?,
    })
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

async fn with_cancel<T>(
    cancel: Option<CancelToken>,
    future: impl std::future::Future<Output = ocus::Result<T>>,
) -> ocus::Result<T> {
    match cancel {
        Some(token) => ocus::runtime::cancellable(future, &token).await,
        None => future.await,
    }
}

/// A core view (project, page, event) as a JS object: the one wire shape of every binding.
fn view(value: &impl serde::Serialize) -> ocus::Result<Value> {
    serde_json::to_value(value)
        .map_err(|e| ocus::Error::new(ocus::ErrorKind::Decode, e.to_string()))
}

// ---- the client ---------------------------------------------------------------------------

#[napi]
pub struct NativeClient {
    client: ocus::Client,
}

// ---- logs: the core's events handed to a JS function -------------------------------------

/// Calls `log(event)` on the JS thread for each of a client's log events. Weak: a client
/// waiting to log never keeps the process alive; non-blocking: a request never waits for JS.
type LogFunction = ThreadsafeFunction<Value, (), Value, napi::Status, false, true>;

struct NodeLogSink {
    log: LogFunction,
}

impl ocus::LogSink for NodeLogSink {
    fn log(&self, event: &ocus::LogEvent) {
        if let Ok(event) = serde_json::to_value(event) {
            self.log
                .call(event, ThreadsafeFunctionCallMode::NonBlocking);
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
) -> Outcome<NativeClient> {
    outcome((|| {
        let mut builder = ocus::Client::builder()
            .from_env()
            .user_agent(format!("ocus-node/{}", env!("CARGO_PKG_VERSION")));
        if let Some(log) = log {
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
            builder = builder.log_sink(Arc::new(NodeLogSink { log }));
        }
        let builder = builder.options(options)?;
        Ok(NativeClient {
            client: builder.build()?,
        })
    })())
}

#[napi]
impl NativeClient {
    #[napi(getter)]
    pub fn base_url(&self) -> String {
        self.client.base_url().to_owned()
    }

    #[napi(getter)]
    pub fn is_closed(&self) -> bool {
        self.client.is_closed()
    }

    #[napi]
    pub fn close(&self) {
        self.client.close();
    }

    /// Replaces the key; requests in flight finish with the old one.
    #[napi]
    pub fn rotate_api_key(&self, api_key: String) -> Option<ErrorData> {
        self.client
            .rotate_api_key(api_key)
            .err()
            .map(ErrorData::from)
    }

    #[napi]
    pub async fn get_project(
        &self,
        id: String,
        options: Map<String, Value>,
        cancel: Option<&CancelHandle>,
    ) -> Outcome<JsonData> {
        let client = self.client.clone();
        let cancel = cancel.map(|c| c.token.clone());
        outcome(
            with_cancel(cancel, async move {
                let request = ocus::RequestOptions::from_call_options(options)?;
                let project = client.projects().get_with(&id, &request).await?;
                with_response(project.view(), |v| v.response.take())
            })
            .await,
        )
    }

    #[napi]
    pub async fn list_page(
        &self,
        options: Map<String, Value>,
        cancel: Option<&CancelHandle>,
    ) -> Outcome<JsonData> {
        let client = self.client.clone();
        let cancel = cancel.map(|c| c.token.clone());
        outcome(
            with_cancel(cancel, async move {
                let params = ocus::ListParams::from_options(options)?;
                let page = client.projects().list(&params).await?;
                with_response(page.view(), |v| v.response.take())
            })
            .await,
        )
    }

    /// A cursor over every page.
    #[napi]
    pub fn cursor(&self, options: Map<String, Value>) -> Outcome<NativeCursor> {
        outcome(
            ocus::ListParams::from_options(options).map(|params| NativeCursor {
                cursor: Arc::new(self.client.projects().cursor(params)),
            }),
        )
    }

    #[napi]
    pub async fn request(
        &self,
        method: String,
        path: String,
        options: Map<String, Value>,
        cancel: Option<&CancelHandle>,
    ) -> Outcome<JsonData> {
        let client = self.client.clone();
        let cancel = cancel.map(|c| c.token.clone());
        outcome(
            with_cancel(cancel, async move {
                let options = ocus::RequestOptions::from_options(options)?;
                let (value, response) = client
                    .request_str_with_response(&method, &path, options)
                    .await?;
                Ok(JsonData {
                    value,
                    response: serde_json::to_string(&response.view()).unwrap_or_default(),
                })
            })
            .await,
        )
    }
}

#[napi]
pub struct NativeCursor {
    cursor: Arc<ocus::ProjectCursor>,
}

#[napi]
impl NativeCursor {
    #[napi]
    pub async fn next_page(&self, cancel: Option<&CancelHandle>) -> Outcome<PageStep> {
        let cursor = self.cursor.clone();
        let cancel = cancel.map(|c| c.token.clone());
        outcome(
            with_cancel(cancel, async move {
                Ok(match cursor.next_page().await? {
                    Some(page) => PageStep {
                        done: false,
                        // Iterated pages have no `.withResponse()`: their response stays here.
                        page: Some(view(&ocus::PageView {
                            response: None,
                            ..page.view()
                        })?),
                    },
                    None => PageStep {
                        done: true,
                        page: None,
                    },
                })
            })
            .await,
        )
    }
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
