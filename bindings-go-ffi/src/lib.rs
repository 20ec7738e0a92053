//! The C ABI of the ocus core, used by the Go package (cgo) and usable from C and C++.
//!
//! Rules: opaque handles; every buffer this library returns is freed by an `ocus_*_free`
//! function of this library; no panic crosses the boundary (each entry point catches it and
//! reports `OCUS_ERR_PANIC`); results are integer codes plus a structured `OcusError`; no
//! callbacks into the caller. Calls block the calling thread (the core's caller-driven
//! runtime, created once per process) and can be cancelled from another thread with an
//! `OcusCancel`.

use std::ffi::{CStr, CString, c_char};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::ptr;
use std::sync::Arc;

use futures_util::FutureExt;
use ocus::completion::Completions;
use ocus::options::TimeUnit;
use ocus::runtime::CancelToken;
use ocus::{ErrorKind, ListParams, RequestOptions};
use serde_json::{Map, Value};

mod codes;
pub use codes::*;

fn code_of(kind: ErrorKind) -> i32 {
    i32::from(kind.code())
}

/// A structured error. Free it with `ocus_error_free`.
#[repr(C)]
pub struct OcusError {
    /// The OCUS_ERR_* code (the same as the function's return value).
    pub code: i32,
    /// The stable kind, e.g. "forbidden" (see the README's table).
    pub kind: *mut c_char,
    /// The server's message (HTTP errors) or the library's.
    pub message: *mut c_char,
    /// One line: kind, status, message and request id.
    pub display: *mut c_char,
    /// The HTTP status, or 0.
    pub status: u16,
    /// The error code from the response body, or NULL.
    pub error_code: *mut c_char,
    /// The x-request-id response header, or NULL.
    pub request_id: *mut c_char,
    /// Retry-After in milliseconds, or -1.
    pub retry_after_ms: i64,
    /// The raw response body (first 8 KiB), or NULL.
    pub body: *mut c_char,
    /// What caused it, outermost first, one cause per line (e.g. the TLS failure under a
    /// connection error), or NULL.
    pub causes: *mut c_char,
}

/// Client settings; a zero-initialised struct means every default. NULL strings, 0 timeouts
/// and `has_max_retries == false` are "not set" (then the environment: OCUS_API_KEY,
/// OCUS_API_KEY_FILE, OCUS_BASE_URL; then the defaults). Every value set is validated by the
/// core: a negative timeout or retry count is OCUS_ERR_CONFIGURATION, never a silent default.
#[repr(C)]
pub struct OcusClientOptions {
    pub api_key: *const c_char,
    pub api_key_file: *const c_char,
    pub base_url: *const c_char,
    /// Per attempt, in ms; 0 = default (60000).
    pub timeout_ms: i64,
    /// 0 = default (10000).
    pub connect_timeout_ms: i64,
    /// Retries after the first attempt (0: none), read when `has_max_retries`; default 2.
    pub max_retries: i32,
    pub has_max_retries: bool,
    /// NULL = "ocus-c/<version>".
    pub user_agent: *const c_char,
}

/// Per-call settings; zero-initialised, the client's. `timeout_ms` 0 is not set;
/// `max_retries` is read when `has_max_retries` (0: no retries for this call). Values set are
/// validated by the core (negative: OCUS_ERR_CONFIGURATION).
#[repr(C)]
pub struct OcusCallOptions {
    pub timeout_ms: i64,
    pub max_retries: i32,
    pub has_max_retries: bool,
}

/// A project list query; 0 / NULL fields are not sent, negative ones are
/// OCUS_ERR_CONFIGURATION.
#[repr(C)]
pub struct OcusListOptions {
    pub page_size: i32,
    pub page_number: i32,
    pub status: *const c_char,
    /// Extra query parameters as a JSON object (string, number, boolean or list values), or
    /// NULL.
    pub params_json: *const c_char,
    pub call: OcusCallOptions,
}

/// A client (opaque). Thread-safe.
///
/// It holds two core clients with the same settings and the same key: one for blocking calls, on the core's
/// caller-driven runtime (the calling thread does its own I/O: the lowest latency for one
/// call at a time), one for calls started with `*_start`, on the multi-thread runtime (no
/// thread blocked per call: the better choice for many concurrent calls). Connections belong
/// to the runtime that opened them, hence two pools.
pub struct OcusClient {
    client: ocus::Client,
    concurrent: ocus::Client,
}

/// A cursor over the pages of a project list (opaque).
pub struct OcusCursor {
    cursor: ocus::ProjectCursor,
}

/// A cancellation handle (opaque): `ocus_cancel_cancel` from any thread stops the calls
/// waiting on it.
pub struct OcusCancel {
    token: CancelToken,
}

// ---- plumbing -----------------------------------------------------------------------------

fn c_string(text: &str) -> *mut c_char {
    // Interior NULs cannot cross a C string; they are dropped (bodies are for humans).
    let clean: Vec<u8> = text.bytes().filter(|b| *b != 0).collect();
    CString::new(clean).map_or(ptr::null_mut(), CString::into_raw)
}

fn optional_c_string(text: Option<&str>) -> *mut c_char {
    text.map_or(ptr::null_mut(), c_string)
}

fn configuration(message: impl Into<String>) -> ocus::Error {
    ocus::Error::new(ErrorKind::Configuration, message)
}

/// Borrows a C string argument; NULL is None.
///
/// # Safety
/// `text` is NULL or a NUL-terminated string valid for the call.
unsafe fn arg<'a>(text: *const c_char, what: &str) -> Result<Option<&'a str>, ocus::Error> {
    if text.is_null() {
        return Ok(None);
    }
    // SAFETY: the caller passes a valid NUL-terminated string (documented in the header).
    let text = unsafe { CStr::from_ptr(text) };
    text.to_str()
        .map(Some)
        .map_err(|_| configuration(format!("{what} is not valid UTF-8")))
}

unsafe fn required<'a>(text: *const c_char, what: &str) -> Result<&'a str, ocus::Error> {
    // SAFETY: forwarded contract of `arg`.
    unsafe { arg(text, what) }?.ok_or_else(|| configuration(format!("{what} is NULL")))
}

fn call_options(options: Option<&OcusCallOptions>) -> Result<RequestOptions, ocus::Error> {
    let mut request = RequestOptions::new();
    if let Some(options) = options {
        if options.timeout_ms != 0 {
            request.timeout = Some(ocus::options::timeout(
                "timeout_ms",
                options.timeout_ms as f64,
                TimeUnit::Milliseconds,
            )?);
        }
        if options.has_max_retries {
            request.max_retries = Some(ocus::options::retries(
                "max_retries",
                f64::from(options.max_retries),
            )?);
        }
    }
    Ok(request)
}

/// A JSON object argument (NULL: empty).
///
/// # Safety
/// `text` is NULL or a valid C string.
unsafe fn json_object(text: *const c_char, what: &str) -> Result<Map<String, Value>, ocus::Error> {
    // SAFETY: forwarded contract.
    match unsafe { arg(text, what) }? {
        None => Ok(Map::new()),
        Some(text) => serde_json::from_str(text)
            .map_err(|e| configuration(format!("{what} is not a JSON object ({e})"))),
    }
}

fn error_box(code: i32, error: &ocus::Error) -> *mut OcusError {
    Box::into_raw(Box::new(OcusError {
        code,
        kind: c_string(error.kind().as_str()),
        message: c_string(error.message()),
        display: c_string(&error.to_string()),
        status: error.status().unwrap_or(0),
        error_code: optional_c_string(error.code()),
        request_id: optional_c_string(error.request_id()),
        retry_after_ms: error
            .retry_after()
            .map_or(-1, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX)),
        body: optional_c_string(error.body()),
        causes: match error.causes() {
            causes if causes.is_empty() => ptr::null_mut(),
            causes => c_string(&causes.join("\n")),
        },
    }))
}

/// Writes the error (if `err` is not NULL) and returns its code.
unsafe fn fail(err: *mut *mut OcusError, code: i32, error: &ocus::Error) -> i32 {
    if !err.is_null() {
        // SAFETY: `err` is a valid out-pointer (documented); we own the new allocation.
        unsafe { *err = error_box(code, error) };
    }
    code
}

/// Runs one entry point: catches panics, maps errors to codes and `OcusError`s.
unsafe fn guard(err: *mut *mut OcusError, body: impl FnOnce() -> Result<(), ocus::Error>) -> i32 {
    if !err.is_null() {
        // SAFETY: `err` is a valid out-pointer.
        unsafe { *err = ptr::null_mut() };
    }
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(())) => OCUS_OK,
        // SAFETY: forwarded out-pointer.
        Ok(Err(error)) => unsafe { fail(err, code_of(error.kind()), &error) },
        Err(_) => {
            let error = ocus::Error::new(
                ErrorKind::ApiError,
                "internal error in the ocus library (panic)",
            );
            // SAFETY: forwarded out-pointer.
            unsafe { fail(err, OCUS_ERR_PANIC, &error) }
        }
    }
}

unsafe fn write_out<T>(out: *mut T, value: T) -> Result<(), ocus::Error> {
    if out.is_null() {
        return Err(configuration("the output pointer is NULL"));
    }
    // SAFETY: checked non-NULL; the caller provides writable storage.
    unsafe { out.write(value) };
    Ok(())
}

/// Blocks on `future`, stopping early when `cancel` fires (closing the client stops it in
/// the core).
fn run<T>(
    cancel: Option<&OcusCancel>,
    future: impl std::future::Future<Output = ocus::Result<T>>,
) -> ocus::Result<T> {
    match cancel {
        Some(cancel) => ocus::runtime::block_on(ocus::runtime::cancellable(future, &cancel.token))?,
        None => ocus::runtime::block_on(future)?,
    }
}

fn view_text(view: &impl serde::Serialize) -> *mut c_char {
    c_string(&serde_json::to_string(view).unwrap_or_default())
}

/// A live handle argument.
///
/// # Safety
/// `handle` is NULL or points to a live value.
unsafe fn live<'a, T>(handle: *const T, what: &str) -> Result<&'a T, ocus::Error> {
    // SAFETY: forwarded contract.
    unsafe { handle.as_ref() }.ok_or_else(|| configuration(format!("{what} is NULL")))
}

// One builder per operation, shared by the blocking entry point and its `_start` twin: the
// arguments are read and checked now, the future owns everything it needs.
type Call = std::pin::Pin<Box<dyn std::future::Future<Output = ocus::Result<String>> + Send>>;

unsafe fn get_call(
    core: &ocus::Client,
    id: *const c_char,
    options: *const OcusCallOptions,
) -> Result<Call, ocus::Error> {
    // SAFETY: documented contract of ocus_projects_get.
    let (id, request) = unsafe {
        (
            required(id, "id")?.to_owned(),
            call_options(options.as_ref())?,
        )
    };
    let core = core.clone();
    Ok(Box::pin(async move {
        let project = core.projects().get_with(&id, &request).await?;
        Ok(serde_json::to_string(&project.view()).unwrap_or_default())
    }))
}

unsafe fn list_call(
    core: &ocus::Client,
    options: *const OcusListOptions,
) -> Result<Call, ocus::Error> {
    // SAFETY: documented contract of ocus_projects_list.
    let params = unsafe { list_params(options)? };
    let core = core.clone();
    Ok(Box::pin(async move {
        let page = core.projects().list(&params).await?;
        Ok(serde_json::to_string(&page.view()).unwrap_or_default())
    }))
}

#[allow(clippy::too_many_arguments)]
unsafe fn request_call(
    core: &ocus::Client,
    method: *const c_char,
    path: *const c_char,
    query_json: *const c_char,
    body_json: *const c_char,
    options: *const OcusCallOptions,
    retry_non_idempotent: bool,
) -> Result<Call, ocus::Error> {
    // SAFETY: documented contract of ocus_request.
    let (method, path, request) = unsafe {
        (
            required(method, "method")?.to_owned(),
            required(path, "path")?.to_owned(),
            request_options(query_json, body_json, options, retry_non_idempotent)?,
        )
    };
    let core = core.clone();
    Ok(Box::pin(async move {
        Ok(core.request_str(&method, &path, request).await?.to_string())
    }))
}

/// Runs a call on the calling thread and writes its JSON to `out_json`.
///
/// # Safety
/// `cancel` NULL or live; `out_json` writable.
unsafe fn block(
    cancel: *const OcusCancel,
    out_json: *mut *mut c_char,
    call: Call,
) -> Result<(), ocus::Error> {
    // SAFETY: forwarded contract.
    unsafe {
        let json = run(cancel.as_ref(), call)?;
        write_out(out_json, c_string(&json))
    }
}

unsafe fn list_params(options: *const OcusListOptions) -> Result<ListParams, ocus::Error> {
    // SAFETY: NULL or a valid struct (documented).
    let Some(options) = (unsafe { options.as_ref() }) else {
        return Ok(ListParams::new());
    };
    let index = |name: &str, value: i32| match value {
        0 => Ok(None),
        n => ocus::options::page_index(name, f64::from(n)).map(Some),
    };
    let mut params = ListParams::new().options(call_options(Some(&options.call))?);
    params.page_size = index("page_size", options.page_size)?;
    params.page_number = index("page_number", options.page_number)?;
    // SAFETY: NULL or a valid C string.
    if let Some(status) = unsafe { arg(options.status, "status") }? {
        params = params.status(status);
    }
    // SAFETY: NULL or a valid C string.
    let extra = unsafe { json_object(options.params_json, "params_json") }?;
    params.extra = ocus::options::query_pairs("params_json", &Value::Object(extra))?;
    Ok(params)
}

unsafe fn request_options(
    query_json: *const c_char,
    body_json: *const c_char,
    options: *const OcusCallOptions,
    retry_non_idempotent: bool,
) -> Result<RequestOptions, ocus::Error> {
    // SAFETY: NULL or valid C strings / struct (documented).
    unsafe {
        let mut request =
            call_options(options.as_ref())?.retry_non_idempotent(retry_non_idempotent);
        let query = json_object(query_json, "query_json")?;
        request.query = ocus::options::query_pairs("query_json", &Value::Object(query))?;
        if let Some(body) = arg(body_json, "body_json")? {
            let body: Value = serde_json::from_str(body)
                .map_err(|e| configuration(format!("body_json is not valid JSON ({e})")))?;
            request = request.json(body);
        }
        Ok(request)
    }
}

// ---- clients ------------------------------------------------------------------------------

/// Creates a client. On success `*out` owns it: free it with `ocus_client_free`.
///
/// # Safety
/// `options` is NULL or valid; `out` is writable; `err` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ocus_client_new(
    options: *const OcusClientOptions,
    out: *mut *mut OcusClient,
    err: *mut *mut OcusError,
) -> i32 {
    // SAFETY: the whole body upholds the documented contract of each pointer.
    unsafe {
        guard(err, || {
            write_out(out, new_client(client_options(options)?)?)
        })
    }
}

/// Creates a client from options given as a JSON object, the names and validation of every
/// binding: `api_key`, `api_key_file`, `base_url`, `user_agent`, `timeout_ms`,
/// `connect_timeout_ms`, `max_retries` (`null` or absent: not set; then the environment, then
/// the defaults). Here a 0 timeout is an error, as in Python and Node.
///
/// # Safety
/// `options_json` is NULL or a C string; `out` is writable; `err` is NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ocus_client_new_json(
    options_json: *const c_char,
    out: *mut *mut OcusClient,
    err: *mut *mut OcusError,
) -> i32 {
    // SAFETY: the whole body upholds the documented contract of each pointer.
    unsafe {
        guard(err, || {
            let options = json_object(options_json, "options_json")?;
            write_out(out, new_client(options)?)
        })
    }
}

/// The typed struct as the JSON options the core parses (only the fields set).
unsafe fn client_options(
    options: *const OcusClientOptions,
) -> Result<Map<String, Value>, ocus::Error> {
    let mut map = Map::new();
    // SAFETY: NULL or a valid struct (documented).
    let Some(options) = (unsafe { options.as_ref() }) else {
        return Ok(map);
    };
    let texts = [
        ("api_key", options.api_key),
        ("api_key_file", options.api_key_file),
        ("base_url", options.base_url),
        ("user_agent", options.user_agent),
    ];
    for (name, text) in texts {
        // SAFETY: NULL or a valid C string (documented).
        if let Some(text) = unsafe { arg(text, name) }? {
            map.insert(name.to_owned(), Value::from(text));
        }
    }
    if options.timeout_ms != 0 {
        map.insert("timeout_ms".into(), Value::from(options.timeout_ms));
    }
    if options.connect_timeout_ms != 0 {
        map.insert(
            "connect_timeout_ms".into(),
            Value::from(options.connect_timeout_ms),
        );
    }
    if options.has_max_retries {
        map.insert("max_retries".into(), Value::from(options.max_retries));
    }
    Ok(map)
}

fn new_client(mut options: Map<String, Value>) -> Result<*mut OcusClient, ocus::Error> {
    options
        .entry("user_agent")
        .or_insert_with(|| Value::from(format!("ocus-c/{}", ocus::VERSION)));
    let client = ocus::Client::builder()
        .from_env()
        .options(options)?
        .build()?;
    Ok(Box::into_raw(Box::new(OcusClient {
        concurrent: client.with_separate_pool()?,
        client,
    })))
}

/// Closes a client: calls in flight on it return promptly (OCUS_ERR_CONFIGURATION, "the
/// client is closed"), later calls fail the same way. Idempotent; the handle stays valid
/// until `ocus_client_free`.
///
/// # Safety
/// `client` is NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ocus_client_close(client: *const OcusClient) {
    let _ = catch_unwind(|| {
        // SAFETY: NULL or a live handle.
        if let Some(client) = unsafe { client.as_ref() } {
            client.client.close(); // shared with `concurrent`
        }
    });
}

/// Frees a client. No call may be using it (close it first and wait for them to return).
///
/// # Safety
/// `client` is NULL or a live handle not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ocus_client_free(client: *mut OcusClient) {
    if !client.is_null() {
        // SAFETY: created by Box::into_raw in ocus_client_new; freed once.
        let _ = catch_unwind(AssertUnwindSafe(|| drop(unsafe { Box::from_raw(client) })));
    }
}

/// Replaces the key; calls in flight finish with the old one.
///
/// # Safety
/// `client` is a live handle; `api_key` a C string; `err` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ocus_client_rotate_api_key(
    client: *const OcusClient,
    api_key: *const c_char,
    err: *mut *mut OcusError,
) -> i32 {
    // SAFETY: documented contract.
    unsafe {
        guard(err, || {
            let client = live(client, "client")?;
            client.client.rotate_api_key(required(api_key, "api_key")?)
        })
    }
}

/// The client's base URL (owned: free with `ocus_string_free`).
///
/// # Safety
/// `client` is NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ocus_client_base_url(client: *const OcusClient) -> *mut c_char {
    catch_unwind(|| {
        // SAFETY: NULL or a live handle.
        match unsafe { client.as_ref() } {
            Some(client) => c_string(client.client.base_url()),
            None => ptr::null_mut(),
        }
    })
    .unwrap_or(ptr::null_mut())
}

// ---- calls --------------------------------------------------------------------------------

/// One project by id. `*out_json` receives `{"resource": {...}, "status": ..., "known_status": ...}`.
///
/// # Safety
/// `client` live; `id` a C string; `options`, `cancel` NULL or valid; `out_json` writable;
/// `err` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ocus_projects_get(
    client: *const OcusClient,
    id: *const c_char,
    options: *const OcusCallOptions,
    cancel: *const OcusCancel,
    out_json: *mut *mut c_char,
    err: *mut *mut OcusError,
) -> i32 {
    // SAFETY: documented contract.
    unsafe {
        guard(err, || {
            let call = get_call(&live(client, "client")?.client, id, options)?;
            block(cancel, out_json, call)
        })
    }
}

/// One page. `*out_json` receives `{"data": [...], "links", "meta", "has_next", "next_url"}`.
///
/// # Safety
/// As `ocus_projects_get`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ocus_projects_list(
    client: *const OcusClient,
    options: *const OcusListOptions,
    cancel: *const OcusCancel,
    out_json: *mut *mut c_char,
    err: *mut *mut OcusError,
) -> i32 {
    // SAFETY: documented contract.
    unsafe {
        guard(err, || {
            let call = list_call(&live(client, "client")?.client, options)?;
            block(cancel, out_json, call)
        })
    }
}

/// A cursor over every page of a list; free it with `ocus_cursor_free`.
///
/// # Safety
/// `client` live; `options` NULL or valid; `out` writable; `err` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ocus_cursor_new(
    client: *const OcusClient,
    options: *const OcusListOptions,
    out: *mut *mut OcusCursor,
    err: *mut *mut OcusError,
) -> i32 {
    // SAFETY: documented contract.
    unsafe {
        guard(err, || {
            let client = live(client, "client")?;
            let cursor = Box::new(OcusCursor {
                cursor: client.client.projects().cursor(list_params(options)?),
            });
            write_out(out, Box::into_raw(cursor))
        })
    }
}

/// The next page (same JSON as `ocus_projects_list`), or `*out_json = NULL` after the last.
///
/// # Safety
/// `cursor` live; `cancel` NULL or valid; `out_json` writable; `err` NULL or writable.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ocus_cursor_next(
    cursor: *const OcusCursor,
    cancel: *const OcusCancel,
    out_json: *mut *mut c_char,
    err: *mut *mut OcusError,
) -> i32 {
    // SAFETY: documented contract.
    unsafe {
        guard(err, || {
            let cursor = live(cursor, "cursor")?;
            let page = run(cancel.as_ref(), cursor.cursor.next_page())?;
            write_out(
                out_json,
                page.map_or(ptr::null_mut(), |page| view_text(&page.view())),
            )
        })
    }
}

/// Frees a cursor.
///
/// # Safety
/// `cursor` is NULL or a live handle not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ocus_cursor_free(cursor: *mut OcusCursor) {
    if !cursor.is_null() {
        // SAFETY: created by Box::into_raw in ocus_cursor_new; freed once.
        let _ = catch_unwind(AssertUnwindSafe(|| drop(unsafe { Box::from_raw(cursor) })));
    }
}

/// Any v3 path. `query_json`: NULL or a JSON object of parameters; `body_json`: NULL or a
/// JSON body. `*out_json` receives the response JSON (`null` for an empty body).
///
/// # Safety
/// `client` live; strings NULL or valid C strings (`method`, `path` required); `options`,
/// `cancel` NULL or valid; `out_json` writable; `err` NULL or writable.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn ocus_request(
    client: *const OcusClient,
    method: *const c_char,
    path: *const c_char,
    query_json: *const c_char,
    body_json: *const c_char,
    options: *const OcusCallOptions,
    retry_non_idempotent: bool,
    cancel: *const OcusCancel,
    out_json: *mut *mut c_char,
    err: *mut *mut OcusError,
) -> i32 {
    // SAFETY: documented contract.
    unsafe {
        guard(err, || {
            let core = &live(client, "client")?.client;
            let call = request_call(
                core,
                method,
                path,
                query_json,
                body_json,
                options,
                retry_non_idempotent,
            )?;
            block(cancel, out_json, call)
        })
    }
}

// ---- concurrent calls: started now, delivered to a completion queue ------------------------

/// A finished call, taken from an `OcusQueue` with `ocus_queue_drain`.
#[repr(C)]
pub struct OcusCompletion {
    /// The ticket given when the call was started.
    pub ticket: u64,
    /// OCUS_OK or the error's code.
    pub code: i32,
    /// The result JSON on success (free with `ocus_string_free`), else NULL.
    pub json: *mut c_char,
    /// The error on failure (free with `ocus_error_free`), else NULL.
    pub error: *mut OcusError,
}

/// A completion queue (opaque). Calls started with `ocus_*_start` run on the library's
/// threads and, when done, are queued here; the queue's file descriptor (`ocus_queue_fd`)
/// becomes readable when completions arrive, so a caller waits in its own event loop
/// (Go's netpoller, epoll...) instead of blocking a thread per call. No callback is made.
pub struct OcusQueue {
    inner: Arc<Completions<Result<String, ocus::Error>>>,
}

/// A new completion queue (NULL if the system refuses a socket pair); free with
/// `ocus_queue_free` once no started call is pending on it.
#[unsafe(no_mangle)]
pub extern "C" fn ocus_queue_new() -> *mut OcusQueue {
    catch_unwind(|| match Completions::new() {
        Ok(queue) => Box::into_raw(Box::new(OcusQueue {
            inner: Arc::new(queue),
        })),
        Err(_) => ptr::null_mut(),
    })
    .unwrap_or(ptr::null_mut())
}

/// The descriptor that becomes readable when completions arrive (non-blocking; owned by the
/// queue: read and discard its bytes, do not close it; `dup` it to hand it to a runtime).
///
/// # Safety
/// `queue` is a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ocus_queue_fd(queue: *const OcusQueue) -> i32 {
    catch_unwind(|| {
        // SAFETY: a live handle.
        unsafe { queue.as_ref() }.map_or(-1, |q| q.inner.fd())
    })
    .unwrap_or(-1)
}

/// Moves up to `capacity` completions into `out` and returns how many. Drain until it returns
/// fewer than `capacity`.
///
/// # Safety
/// `queue` is a live handle; `out` has room for `capacity` completions.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ocus_queue_drain(
    queue: *const OcusQueue,
    out: *mut OcusCompletion,
    capacity: usize,
) -> usize {
    catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: documented contract.
        let Some(queue) = (unsafe { queue.as_ref() }) else {
            return 0;
        };
        if out.is_null() {
            return 0;
        }
        let delivered = queue.inner.drain(capacity);
        let count = delivered.len();
        for (index, (ticket, result)) in delivered.into_iter().enumerate() {
            let completion = match result {
                Ok(json) => OcusCompletion {
                    ticket,
                    code: OCUS_OK,
                    json: c_string(&json),
                    error: ptr::null_mut(),
                },
                Err(error) => {
                    let code = code_of(error.kind());
                    OcusCompletion {
                        ticket,
                        code,
                        json: ptr::null_mut(),
                        error: error_box(code, &error),
                    }
                }
            };
            // SAFETY: `out` has room for `capacity` items; index < count <= capacity.
            unsafe { out.add(index).write(completion) };
        }
        count
    }))
    .unwrap_or(0)
}

/// Frees a queue. No started call may still be pending on it.
///
/// # Safety
/// `queue` is NULL or a live handle not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ocus_queue_free(queue: *mut OcusQueue) {
    if !queue.is_null() {
        // SAFETY: created by Box::into_raw in ocus_queue_new; freed once.
        let _ = catch_unwind(AssertUnwindSafe(|| drop(unsafe { Box::from_raw(queue) })));
    }
}

/// Spawns `future` on the multi-thread runtime; its result is delivered to `queue` as `ticket`.
unsafe fn start<F>(
    cancel: *const OcusCancel,
    queue: *const OcusQueue,
    ticket: u64,
    future: F,
) -> Result<(), ocus::Error>
where
    F: std::future::Future<Output = Result<String, ocus::Error>> + Send + 'static,
{
    // SAFETY: documented contract of the *_start functions.
    let queue = unsafe { queue.as_ref() }
        .ok_or_else(|| configuration("queue is NULL"))?
        .inner
        .clone();
    // SAFETY: NULL or a live handle; the token is cloned, so the handle may be freed once the
    // completion arrives.
    let token = unsafe { cancel.as_ref() }.map(|c| c.token.clone());
    ocus::runtime::get()?.spawn(async move {
        // A panic must still be delivered: the caller is waiting for this ticket.
        let future = async move {
            AssertUnwindSafe(future)
                .catch_unwind()
                .await
                .unwrap_or_else(|_| {
                    Err(ocus::Error::new(
                        ErrorKind::ApiError,
                        "internal error in the ocus library (panic)",
                    ))
                })
        };
        let result = match token {
            Some(token) => ocus::runtime::cancellable(future, &token).await,
            None => future.await,
        };
        queue.deliver(ticket, result);
    });
    Ok(())
}

/// `ocus_projects_get`, started: the result arrives on `queue` as `ticket`. Returns an error
/// code only for failures found before starting (then nothing is delivered).
///
/// # Safety
/// As `ocus_projects_get`; `queue` a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ocus_projects_get_start(
    client: *const OcusClient,
    id: *const c_char,
    options: *const OcusCallOptions,
    cancel: *const OcusCancel,
    queue: *const OcusQueue,
    ticket: u64,
    err: *mut *mut OcusError,
) -> i32 {
    // SAFETY: documented contract.
    unsafe {
        guard(err, || {
            let call = get_call(&live(client, "client")?.concurrent, id, options)?;
            start(cancel, queue, ticket, call)
        })
    }
}

/// `ocus_projects_list`, started (see `ocus_projects_get_start`).
///
/// # Safety
/// As `ocus_projects_list`; `queue` a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ocus_projects_list_start(
    client: *const OcusClient,
    options: *const OcusListOptions,
    cancel: *const OcusCancel,
    queue: *const OcusQueue,
    ticket: u64,
    err: *mut *mut OcusError,
) -> i32 {
    // SAFETY: documented contract.
    unsafe {
        guard(err, || {
            let call = list_call(&live(client, "client")?.concurrent, options)?;
            start(cancel, queue, ticket, call)
        })
    }
}

/// `ocus_request`, started (see `ocus_projects_get_start`).
///
/// # Safety
/// As `ocus_request`; `queue` a live handle.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn ocus_request_start(
    client: *const OcusClient,
    method: *const c_char,
    path: *const c_char,
    query_json: *const c_char,
    body_json: *const c_char,
    options: *const OcusCallOptions,
    retry_non_idempotent: bool,
    cancel: *const OcusCancel,
    queue: *const OcusQueue,
    ticket: u64,
    err: *mut *mut OcusError,
) -> i32 {
    // SAFETY: documented contract.
    unsafe {
        guard(err, || {
            let core = &live(client, "client")?.concurrent;
            let call = request_call(
                core,
                method,
                path,
                query_json,
                body_json,
                options,
                retry_non_idempotent,
            )?;
            start(cancel, queue, ticket, call)
        })
    }
}

// ---- webhooks -----------------------------------------------------------------------------

/// Verifies `signature` (the ocus-signature header; NULL or "" if absent) over the raw body in
/// constant time. `*out_json` receives `{"id", "type", "organization_id", "project_id",
/// "status", "attributes"}`.
///
/// # Safety
/// `body` points to `body_len` bytes (or is NULL with 0), likewise `signature` (the header's
/// value as received, any bytes: the core judges them; NULL with 0 if absent) and `secret`;
/// `out_json` writable; `err` NULL or writable.
#[unsafe(no_mangle)]
#[allow(clippy::too_many_arguments)]
pub unsafe extern "C" fn ocus_webhook_verify(
    body: *const u8,
    body_len: usize,
    signature: *const u8,
    signature_len: usize,
    secret: *const u8,
    secret_len: usize,
    out_json: *mut *mut c_char,
    err: *mut *mut OcusError,
) -> i32 {
    // SAFETY: documented contract.
    unsafe {
        guard(err, || {
            let body = bytes(body, body_len)?;
            let secret = bytes(secret, secret_len)?;
            // Not valid UTF-8 cannot be hex: the lossy text keeps it malformed for the core to say so.
            let signature = String::from_utf8_lossy(bytes(signature, signature_len)?);
            let event = ocus::webhooks::verify(body, &signature, secret)?;
            write_out(out_json, view_text(&event.view()))
        })
    }
}

/// The signature OCUS sends for a body (owned: free with `ocus_string_free`); NULL on bad
/// arguments.
///
/// # Safety
/// As `ocus_webhook_verify`.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ocus_webhook_sign(
    body: *const u8,
    body_len: usize,
    secret: *const u8,
    secret_len: usize,
) -> *mut c_char {
    catch_unwind(AssertUnwindSafe(|| {
        // SAFETY: documented contract.
        match unsafe { (bytes(body, body_len), bytes(secret, secret_len)) } {
            (Ok(body), Ok(secret)) => c_string(&ocus::webhooks::sign(body, secret)),
            _ => ptr::null_mut(),
        }
    }))
    .unwrap_or(ptr::null_mut())
}

unsafe fn bytes<'a>(data: *const u8, len: usize) -> Result<&'a [u8], ocus::Error> {
    if len == 0 {
        return Ok(&[]);
    }
    if data.is_null() {
        return Err(configuration("a buffer is NULL but its length is not 0"));
    }
    // SAFETY: the caller provides `len` readable bytes.
    Ok(unsafe { std::slice::from_raw_parts(data, len) })
}

// ---- cancellation, freeing ----------------------------------------------------------------

/// A new cancellation handle; free it with `ocus_cancel_free`.
#[unsafe(no_mangle)]
pub extern "C" fn ocus_cancel_new() -> *mut OcusCancel {
    catch_unwind(|| {
        Box::into_raw(Box::new(OcusCancel {
            token: CancelToken::new(),
        }))
    })
    .unwrap_or(ptr::null_mut())
}

/// Cancels every call waiting on `cancel` (from any thread). Idempotent.
///
/// # Safety
/// `cancel` is NULL or a live handle.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ocus_cancel_cancel(cancel: *const OcusCancel) {
    let _ = catch_unwind(|| {
        // SAFETY: NULL or a live handle.
        if let Some(cancel) = unsafe { cancel.as_ref() } {
            cancel.token.cancel();
        }
    });
}

/// Frees a cancellation handle. No call may be waiting on it.
///
/// # Safety
/// `cancel` is NULL or a live handle not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ocus_cancel_free(cancel: *mut OcusCancel) {
    if !cancel.is_null() {
        // SAFETY: created by Box::into_raw in ocus_cancel_new; freed once.
        let _ = catch_unwind(AssertUnwindSafe(|| drop(unsafe { Box::from_raw(cancel) })));
    }
}

/// Frees a string returned by this library.
///
/// # Safety
/// `text` is NULL or a string from this library, not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ocus_string_free(text: *mut c_char) {
    if !text.is_null() {
        // SAFETY: created by CString::into_raw in this library; freed once.
        let _ = catch_unwind(AssertUnwindSafe(|| {
            drop(unsafe { CString::from_raw(text) })
        }));
    }
}

/// Frees an error and its strings.
///
/// # Safety
/// `error` is NULL or an error from this library, not used afterwards.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn ocus_error_free(error: *mut OcusError) {
    if error.is_null() {
        return;
    }
    // SAFETY: created by Box::into_raw in `fail`; its strings by CString::into_raw.
    unsafe {
        let error = Box::from_raw(error);
        for text in [
            error.kind,
            error.message,
            error.display,
            error.error_code,
            error.request_id,
            error.body,
            error.causes,
        ] {
            ocus_string_free(text);
        }
    }
}

/// The library version (static: do not free).
#[unsafe(no_mangle)]
pub extern "C" fn ocus_version() -> *const c_char {
    static VERSION: &CStr =
        match CStr::from_bytes_with_nul(concat!(env!("CARGO_PKG_VERSION"), "\0").as_bytes()) {
            Ok(version) => version,
            Err(_) => c"unknown",
        };
    VERSION.as_ptr()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_core_codes() {
        // codes.rs is generated from the core (tools/codegen); this pins a few by name.
        assert_eq!(code_of(ErrorKind::Forbidden), OCUS_ERR_FORBIDDEN);
        assert_eq!(code_of(ErrorKind::Configuration), OCUS_ERR_CONFIGURATION);
        assert_eq!(code_of(ErrorKind::Cancelled), OCUS_ERR_CANCELLED);
        for kind in ErrorKind::ALL {
            assert!(code_of(kind) > OCUS_ERR_PANIC, "{kind}");
        }
    }
}
