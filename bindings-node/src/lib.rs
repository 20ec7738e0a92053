//! The native addon behind the npm package `ocus`. It translates; the core decides.
//!
//! Errors cross as data (`ErrorData`, marked `isOcusError`): napi's async functions cannot carry
//! a custom error code, so `index.js` turns the data into the matching error class.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use napi::bindgen_prelude::{Buffer, Either};
use napi_derive::napi;
use ocus::runtime::CancelToken;

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

/// napi's runtime for our async functions: one worker thread drives every request and its
/// connection, so a request crosses threads twice (in from the JS thread, back to it) instead
/// of also bouncing between workers. The JS thread does the rest of the work anyway.
#[napi_derive::module_init]
fn init() {
    if let Ok(runtime) = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("ocus-node")
        .enable_all()
        .build()
    {
        napi::bindgen_prelude::create_custom_tokio_runtime(runtime);
    }
}

fn outcome<T>(result: ocus::Result<T>) -> Outcome<T> {
    match result {
        Ok(value) => Either::A(value),
        Err(error) => Either::B(error.into()),
    }
}

fn configuration(message: String) -> ocus::Error {
    ocus::Error::new(ocus::ErrorKind::Configuration, message)
}

fn millis(what: &str, value: Option<f64>) -> ocus::Result<Option<Duration>> {
    match value {
        None => Ok(None),
        Some(ms) => Duration::try_from_secs_f64(ms / 1000.0)
            .ok()
            .filter(|d| !d.is_zero())
            .map(Some)
            .ok_or_else(|| {
                configuration(format!(
                    "{what} must be a positive number of milliseconds, not {ms}"
                ))
            }),
    }
}

fn count(what: &str, value: Option<f64>) -> ocus::Result<Option<u32>> {
    match value {
        None => Ok(None),
        Some(n) if n.fract() == 0.0 && (0.0..=f64::from(u32::MAX)).contains(&n) => {
            Ok(Some(n as u32))
        }
        Some(n) => Err(configuration(format!(
            "{what} must be a whole number from 0, not {n}"
        ))),
    }
}

#[napi(object)]
pub struct ClientOptions {
    pub api_key: Option<String>,
    pub api_key_file: Option<String>,
    pub base_url: Option<String>,
    pub timeout_ms: Option<f64>,
    pub connect_timeout_ms: Option<f64>,
    pub max_retries: Option<f64>,
}

#[napi(object)]
pub struct CallOptions {
    pub timeout_ms: Option<f64>,
    pub max_retries: Option<f64>,
}

#[napi(object)]
pub struct ListOptions {
    pub page_size: Option<f64>,
    pub page_number: Option<f64>,
    pub status: Option<String>,
    pub params: Option<HashMap<String, String>>,
    pub timeout_ms: Option<f64>,
    pub max_retries: Option<f64>,
}

#[napi(object)]
pub struct RequestArgs {
    pub method: String,
    pub path: String,
    pub query: Option<HashMap<String, String>>,
    pub json: Option<serde_json::Value>,
    pub timeout_ms: Option<f64>,
    pub max_retries: Option<f64>,
    pub retry_non_idempotent: Option<bool>,
}

#[napi(object)]
pub struct ProjectData {
    /// The resource object as sent (`{type, id, attributes, ...}`).
    pub resource: serde_json::Value,
    pub status: Option<String>,
    pub known_status: bool,
}

impl From<ocus::Project> for ProjectData {
    fn from(project: ocus::Project) -> Self {
        let status = project.status();
        ProjectData {
            status: status.as_ref().map(|s| s.as_str().to_owned()),
            known_status: status.as_ref().is_some_and(ocus::ProjectStatus::is_known),
            resource: project.to_json(),
        }
    }
}

#[napi(object)]
pub struct PageData {
    pub data: Vec<ProjectData>,
    pub links: serde_json::Value,
    pub meta: serde_json::Value,
    pub has_next: bool,
    pub next_url: Option<String>,
}

impl From<ocus::Page<ocus::Project>> for PageData {
    fn from(page: ocus::Page<ocus::Project>) -> Self {
        PageData {
            has_next: page.has_next(),
            next_url: page.links.next.clone().filter(|n| !n.is_empty()),
            links: serde_json::to_value(&page.links).unwrap_or_default(),
            meta: serde_json::Value::Object(page.meta),
            data: page.data.into_iter().map(ProjectData::from).collect(),
        }
    }
}

/// The next page of a cursor, or `done`.
#[napi(object)]
pub struct PageStep {
    pub done: bool,
    pub page: Option<PageData>,
}

#[napi(object)]
pub struct JsonData {
    pub value: serde_json::Value,
}

#[napi(object)]
pub struct EventData {
    pub id: String,
    pub r#type: String,
    pub organization_id: Option<String>,
    pub project_id: Option<String>,
    pub status: Option<String>,
    pub attributes: serde_json::Value,
}

fn request_options(
    timeout_ms: Option<f64>,
    max_retries: Option<f64>,
) -> ocus::Result<ocus::RequestOptions> {
    let mut options = ocus::RequestOptions::new();
    if let Some(timeout) = millis("timeoutMs", timeout_ms)? {
        options = options.timeout(timeout);
    }
    if let Some(retries) = count("maxRetries", max_retries)? {
        options = options.max_retries(retries);
    }
    Ok(options)
}

fn list_params(options: ListOptions) -> ocus::Result<ocus::ListParams> {
    let mut params =
        ocus::ListParams::new().options(request_options(options.timeout_ms, options.max_retries)?);
    if let Some(size) = count("pageSize", options.page_size)? {
        params = params.page_size(size);
    }
    if let Some(number) = count("pageNumber", options.page_number)? {
        params = params.page_number(number);
    }
    if let Some(status) = options.status {
        params = params.status(status.as_str());
    }
    let mut extra: Vec<(String, String)> = options.params.unwrap_or_default().into_iter().collect();
    extra.sort();
    for (name, value) in extra {
        params = params.param(name, value);
    }
    Ok(params)
}

// ---- cancellation: AbortSignal → a token the request future is raced against --------------

fn cancels() -> &'static Mutex<HashMap<u32, CancelToken>> {
    static CANCELS: OnceLock<Mutex<HashMap<u32, CancelToken>>> = OnceLock::new();
    CANCELS.get_or_init(Default::default)
}

/// A new cancellation handle for one call (`index.js` wires it to an AbortSignal).
#[napi]
pub fn cancel_handle_new() -> u32 {
    static NEXT: AtomicU32 = AtomicU32::new(1);
    let id = NEXT.fetch_add(1, Ordering::Relaxed);
    cancels()
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .insert(id, CancelToken::new());
    id
}

/// Cancels the call holding this handle.
#[napi]
pub fn cancel_handle_cancel(id: u32) {
    if let Some(token) = cancels().lock().unwrap_or_else(|p| p.into_inner()).get(&id) {
        token.cancel();
    }
}

/// Forgets a handle once its call has settled.
#[napi]
pub fn cancel_handle_release(id: u32) {
    cancels()
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .remove(&id);
}

async fn with_cancel<T>(
    cancel: Option<u32>,
    future: impl std::future::Future<Output = ocus::Result<T>>,
) -> ocus::Result<T> {
    let token = cancel.and_then(|id| {
        cancels()
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .get(&id)
            .cloned()
    });
    match token {
        Some(token) => ocus::runtime::cancellable(future, &token).await,
        None => future.await,
    }
}

// ---- the client ---------------------------------------------------------------------------

#[napi]
pub struct NativeClient {
    client: ocus::Client,
}

/// Builds a client; missing options come from OCUS_API_KEY / OCUS_API_KEY_FILE / OCUS_BASE_URL.
#[napi]
pub fn create_client(options: ClientOptions) -> Outcome<NativeClient> {
    outcome((|| {
        let mut builder = ocus::Client::builder()
            .from_env()
            .user_agent(format!("ocus-node/{}", env!("CARGO_PKG_VERSION")));
        if let Some(key) = options.api_key {
            builder = builder.api_key(key);
        }
        if let Some(path) = options.api_key_file {
            builder = builder.api_key_file(path);
        }
        if let Some(url) = options.base_url {
            builder = builder.base_url(url);
        }
        if let Some(timeout) = millis("timeoutMs", options.timeout_ms)? {
            builder = builder.timeout(timeout);
        }
        if let Some(timeout) = millis("connectTimeoutMs", options.connect_timeout_ms)? {
            builder = builder.connect_timeout(timeout);
        }
        if let Some(retries) = count("maxRetries", options.max_retries)? {
            builder = builder.max_retries(retries);
        }
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
        options: CallOptions,
        cancel: Option<u32>,
    ) -> Outcome<ProjectData> {
        let client = self.client.clone();
        outcome(
            with_cancel(cancel, async move {
                let request = request_options(options.timeout_ms, options.max_retries)?;
                client.projects().get_with(&id, &request).await
            })
            .await
            .map(ProjectData::from),
        )
    }

    #[napi]
    pub async fn list_page(&self, options: ListOptions, cancel: Option<u32>) -> Outcome<PageData> {
        let client = self.client.clone();
        outcome(
            with_cancel(cancel, async move {
                let params = list_params(options)?;
                client.projects().list(&params).await
            })
            .await
            .map(PageData::from),
        )
    }

    /// A cursor over every page.
    #[napi]
    pub fn cursor(&self, options: ListOptions) -> Outcome<NativeCursor> {
        outcome((|| {
            let params = list_params(options)?;
            Ok(NativeCursor {
                pages: Arc::new(tokio::sync::Mutex::new(
                    self.client.projects().pages(params),
                )),
            })
        })())
    }

    #[napi]
    pub async fn request(&self, args: RequestArgs, cancel: Option<u32>) -> Outcome<JsonData> {
        let client = self.client.clone();
        outcome(
            with_cancel(cancel, async move {
                let mut options = request_options(args.timeout_ms, args.max_retries)?
                    .retry_non_idempotent(args.retry_non_idempotent.unwrap_or(false));
                let mut query: Vec<(String, String)> =
                    args.query.unwrap_or_default().into_iter().collect();
                query.sort();
                for (name, value) in query {
                    options = options.query(name, value);
                }
                if let Some(json) = args.json {
                    options = options.json(json);
                }
                client.request_str(&args.method, &args.path, options).await
            })
            .await
            .map(|value| JsonData { value }),
        )
    }
}

#[napi]
pub struct NativeCursor {
    pages: Arc<tokio::sync::Mutex<ocus::ProjectPages>>,
}

#[napi]
impl NativeCursor {
    #[napi]
    pub async fn next_page(&self, cancel: Option<u32>) -> Outcome<PageStep> {
        let pages = self.pages.clone();
        outcome(
            with_cancel(cancel, async move { pages.lock().await.next_page().await })
                .await
                .map(|page| PageStep {
                    done: page.is_none(),
                    page: page.map(PageData::from),
                }),
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

/// Verifies `ocus-signature` over the raw body in constant time and returns the event.
#[napi]
pub fn verify_webhook(
    raw_body: Either<String, Buffer>,
    signature: Option<String>,
    secret: Either<String, Buffer>,
) -> Outcome<EventData> {
    outcome(
        ocus::webhooks::verify(
            &bytes(raw_body),
            signature.as_deref().unwrap_or(""),
            &bytes(secret),
        )
        .map(|event| EventData {
            organization_id: event.organization_id().map(str::to_owned),
            project_id: event.project_id().map(str::to_owned),
            status: event.status().map(|s| s.as_str().to_owned()),
            attributes: serde_json::Value::Object(event.attributes.clone()),
            r#type: event.resource_type.clone(),
            id: event.id,
        }),
    )
}

/// The signature OCUS sends for `raw_body` (to test your own receivers).
#[napi]
pub fn sign_webhook(raw_body: Either<String, Buffer>, secret: Either<String, Buffer>) -> String {
    ocus::webhooks::sign(&bytes(raw_body), &bytes(secret))
}

#[napi]
pub const SIGNATURE_HEADER: &str = ocus::webhooks::SIGNATURE_HEADER;

#[napi]
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
